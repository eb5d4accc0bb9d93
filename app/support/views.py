""" "Ich bin auch betroffen" without login: the form on a report's support page, the mail's
confirmation page (one button: mail scanners confirm nothing) and its answer."""

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

from app.extensions import db, limiter
from app.language import preferred_language
from app.models import Report
from app.public.projection import public_report
from app.reports.service import find_by_case_number
from app.security import private
from app.support import service
from app.support.forms import SupportForm
from app.support.service import Outcome

bp = Blueprint("support", __name__)

# The answer's status for each outcome: only a counted support is a plain success.
STATUS = {
    Outcome.COUNTED: 200,
    Outcome.ALREADY: 409,
    Outcome.OWN_REPORT: 409,
    Outcome.CLOSED: 409,
    Outcome.INVALID: 410,
}


def _limit() -> str:
    # The same budget as following: both send a mail to the address typed.
    return current_app.config["RATELIMIT_FOLLOW"]


def _report(case_number: str) -> Report:
    report = find_by_case_number(case_number)
    if report is None:
        abort(404)
    return report


@bp.route("/meldungen/<case_number>/unterstuetzen", methods=["GET", "POST"])
@limiter.limit(_limit, methods=["POST"])
def support(case_number: str):
    report = _report(case_number)
    form = SupportForm()
    open_ = service.may_be_supported(report)
    if request.method == "POST":
        if not open_:
            return _form_page(report, form, 409)
        if not form.validate():
            return _form_page(report, form, 422)
        service.ask(report, form.email.data, preferred_language(), form.follow.data)
        db.session.commit()
        return redirect(url_for(".sent", case_number=case_number), 303)
    return _form_page(report, form, 200)


def _form_page(report: Report, form: SupportForm, status: int):
    page = render_template(
        "support/support.html",
        report=public_report(report),
        form=form,
        open=service.may_be_supported(report),
    )
    return page, status


@bp.route("/meldungen/<case_number>/unterstuetzen/gesendet")
def sent(case_number: str):
    report = _report(case_number)
    return render_template("support/sent.html", report=public_report(report))


@bp.route("/unterstuetzung/bestaetigen/<token>", methods=["GET", "POST"])
def confirm(token: str):
    if request.method == "GET":
        return private(make_response(render_template("support/confirm.html", token=token)))
    done = service.confirm(token)
    db.session.commit()
    page = render_template("support/confirmed.html", done=done, Outcome=Outcome)
    return private(make_response(page, STATUS[done.outcome]))


@bp.route("/verfolgen/<token>/unterstuetzen/<case_number>", methods=["POST"])
@limiter.limit(_limit)
def as_reporter(token: str, case_number: str):
    """From the reporter's private page: "Ich bin auch betroffen" for a similar report nearby,
    with her tracking link as the proof."""
    report = _report(case_number)
    done = service.as_reporter(token, report, preferred_language())
    db.session.commit()
    if done.outcome is Outcome.COUNTED:
        flash(_("Danke: Ihre Unterstützung für Meldung %(case)s zählt.", case=case_number), "ok")
        return redirect(url_for("reports.tracking", token=token, _anchor="naehe"), 303)
    page = render_template("support/confirmed.html", done=done, Outcome=Outcome)
    return private(make_response(page, STATUS[done.outcome]))
