"""Following a report by email (double opt-in) and unsubscribing from any mail, without login."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from app.extensions import csrf, db, limiter
from app.notifications import service
from app.notifications.forms import FollowForm
from app.public.projection import public_report
from app.reports.service import find_by_case_number
from app.security import private

bp = Blueprint("notifications", __name__)


def _follow_limit() -> str:
    return current_app.config["RATELIMIT_FOLLOW"]


@bp.route("/meldungen/<case_number>/folgen", methods=["POST"])
@limiter.limit(_follow_limit)
def follow(case_number: str):
    report = find_by_case_number(case_number)
    if report is None:
        abort(404)
    form = FollowForm()
    if not form.validate():
        page = render_template(
            "notifications/follow_refused.html", report=public_report(report), form=form
        )
        return page, 422
    service.follow(report, form.email.data, form.language.data)
    db.session.commit()
    flash(
        _(
            "Fast geschafft: Wir haben Ihnen eine E-Mail geschickt. Bitte bestätigen Sie darin, "
            "dass Sie dieser Meldung folgen möchten."
        ),
        "ok",
    )
    return redirect(url_for("public.report", case_number=case_number, _anchor="folgen"))


@bp.route("/benachrichtigungen/bestaetigen/<token>", methods=["GET", "POST"])
def confirm(token: str):
    if request.method == "GET":
        # A page with one button: mail scanners that open every link confirm nothing.
        return private(make_response(render_template("notifications/confirm.html", token=token)))
    subscription = service.confirm(token)
    db.session.commit()
    status = 200 if subscription is not None else 410
    case_number = subscription.report.case_number if subscription else None
    page = render_template("notifications/confirmed.html", case_number=case_number)
    return private(make_response(page, status))


@bp.route("/benachrichtigungen/abbestellen/<token>", methods=["GET", "POST"])
@csrf.exempt  # mail programs POST here themselves (RFC 8058); the signed token is the proof
def unsubscribe(token: str):
    if request.method == "GET":
        # A page with one button: link scanners that open every link unsubscribe nobody.
        return private(
            make_response(render_template("notifications/unsubscribe.html", token=token))
        )
    subscription = service.unsubscribe(token)
    db.session.commit()
    status = 200 if subscription is not None else 410
    page = render_template("notifications/unsubscribed.html", done=subscription is not None)
    return private(make_response(page, status))
