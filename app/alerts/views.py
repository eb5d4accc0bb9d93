"""/benachrichtigungen/gebiet: ask for mails about new reports in an area, confirm, unsubscribe.
Without login; the signed links in the mails are the proof."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import select

from app.alerts import service
from app.alerts.forms import AlertForm
from app.extensions import csrf, db, limiter
from app.models import Category, District
from app.security import private

bp = Blueprint("alerts", __name__, url_prefix="/benachrichtigungen/gebiet")


def _limit() -> str:
    return current_app.config["RATELIMIT_FOLLOW"]


def _form() -> tuple[AlertForm, dict[str, int]]:
    """The form with the city's districts and active categories; category ids by code."""
    form = AlertForm()
    districts = db.session.execute(select(District.code, District.name).order_by(District.name))
    form.district.choices = [(code, name) for code, name in districts]
    categories = db.session.execute(
        select(Category.code, Category.name_de, Category.id)
        .where(Category.active)
        .order_by(Category.name_de)
    ).all()
    form.categories.choices = [(code, name) for code, name, _id in categories]
    return form, {code: id_ for code, _name, id_ in categories}


def _area(form: AlertForm) -> service.Area:
    radius = int(form.radius.data or 500)
    if form.area.data == "address":
        return service.address_area(form.address.data or "", radius)
    if form.area.data == "point":
        return service.point_area(form.lat.data or "", form.lon.data or "", radius)
    return service.district_area(form.district.data or "")


@bp.route("", methods=["GET", "POST"])
@limiter.limit(_limit, methods=["POST"])
def subscribe():
    form, category_ids = _form()
    if request.method == "POST" and form.validate():
        try:
            area = _area(form)
        except service.AreaError as exc:
            form[exc.field].errors = [str(exc)]
        else:
            chosen = [category_ids[c] for c in form.categories.data or [] if c in category_ids]
            service.subscribe(form.email.data, form.language.data, area, chosen, form.mode.data)
            db.session.commit()
            flash(
                _(
                    "Fast geschafft: Wir haben Ihnen eine E-Mail geschickt. Bitte bestätigen Sie "
                    "darin, dass Sie Meldungen für „%(area)s“ erhalten möchten.",
                    area=area.label,
                ),
                "ok",
            )
            return redirect(url_for("alerts.subscribe"))
    status = 422 if request.method == "POST" else 200
    return render_template("alerts/form.html", form=form), status


@bp.route("/bestaetigen/<token>", methods=["GET", "POST"])
def confirm(token: str):
    if request.method == "GET":
        # A page with one button: mail scanners that open every link confirm nothing.
        page = render_template("alerts/confirm.html", token=token)
        return private(make_response(page))
    alert = service.confirm(token)
    db.session.commit()
    page = render_template("alerts/confirmed.html", alert=alert)
    return private(make_response(page, 200 if alert is not None else 410))


@bp.route("/abbestellen/<token>", methods=["GET", "POST"])
@csrf.exempt  # mail programs POST here themselves (RFC 8058); the signed token is the proof
def unsubscribe(token: str):
    if request.method == "GET":
        # A page with one button: link scanners that open every link unsubscribe nobody.
        return private(make_response(render_template("alerts/unsubscribe.html", token=token)))
    alert = service.unsubscribe(token)
    db.session.commit()
    page = render_template("alerts/unsubscribed.html", done=alert is not None)
    return private(make_response(page, 200 if alert is not None else 410))
