"""The citizen's flow: the form, the confirmation and the private tracking page."""

from __future__ import annotations

import uuid

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response

from app.coordinates import parse_coordinate
from app.extensions import db, limiter
from app.language import preferred_language
from app.media import storage
from app.media.images import PhotoError
from app.media.uploads import first_position
from app.models import Channel
from app.nearby.service import Nearby, nearby
from app.notifications import service as notifications
from app.notifications.forms import LinkForm
from app.public.projection import public_report, tracked_report, visible_photos
from app.public.service import city_bounds
from app.reports import place_search, rules, service
from app.reports.forms import ReportForm
from app.reports.place_search import PlaceSection
from app.reports.rules import ReportRefused
from app.security import private
from app.support import service as support

bp = Blueprint("reports", __name__)


def _report_limit() -> str:
    return current_app.config["RATELIMIT_REPORTS"]


def _render_form(
    form: ReportForm,
    status: int = 200,
    places: PlaceSection | None = None,
    nearby: list[Nearby] | None = None,
):
    places = places or place_search.section(form)
    if _sent_by_script():
        places.photos_dropped = False  # the page's script keeps the photos and attaches them again
    page = render_template(
        "reports/form.html",
        form=form,
        bounds=city_bounds(),
        limits=rules.limits(),
        places=places,
        nearby=nearby,
    )
    return page, status


def _sent_by_script() -> bool:
    """The form's script (static/js/photos.js) sends with upload progress and asks for JSON."""
    return request.accept_mimetypes.best == "application/json"


def _filed(response: Response) -> bool:
    # Only reports that went through count against the limit: typos and retries do not.
    return response.status_code in (201, 302)


@bp.route("/melden", methods=["GET", "POST"])
@limiter.limit(_report_limit, methods=["POST"], deduct_when=_filed)
def new_report():
    form = ReportForm(categories=service.active_categories())
    if request.method != "POST":
        form.submission_key.data = uuid.uuid4().hex
        _place_from_link(form)
        return _render_form(form)
    if request.form.get("nearby"):  # "Ähnliche Meldungen anzeigen": files nothing
        return _show_nearby(form)
    if place_search.asked(form):  # "Suchen" or "Übernehmen": files nothing
        places = place_search.answer(form)
        return _render_form(form, places.status, places)
    if not place_search.take_choice(form) or not form.validate():
        return _render_form(form, 422)
    try:
        filed = service.submit(form.draft(Channel.WEB, preferred_language()))
        db.session.commit()
    except ReportRefused as refused:
        db.session.rollback()
        form.show(refused)
        _offer_photo_position(form)
        return _render_form(form, 422)
    session["filed"] = {
        "case": filed.report.case_number,
        "token": filed.tracking_token,
        "again": filed.duplicate,
    }
    if _sent_by_script():
        # A script cannot stop XMLHttpRequest from following a redirect, and following it would
        # use up the confirmation (shown once): so the script is told where to go instead.
        answer = jsonify(redirect=url_for(".confirmation"))
        answer.status_code = 201
        answer.headers["Location"] = url_for(".confirmation")
        return answer
    return redirect(url_for(".confirmation"))


def _place_from_link(form: ReportForm) -> None:
    """/melden?lat=…&lon=… starts with that place set (a link such as "Neue Meldung an
    derselben Stelle"); anything that is no coordinate is left out, not shown as an error."""
    try:
        lat = parse_coordinate(request.args.get("lat"), -90, 90)
        lon = parse_coordinate(request.args.get("lon"), -180, 180)
    except ValueError:
        return
    form.lat.data, form.lon.data = f"{lat:.6f}", f"{lon:.6f}"


def _show_nearby(form: ReportForm):
    """Without JavaScript: the similar reports around the place typed, as a step of the form."""
    here = place_search.point(form)
    if here is None:
        form.lat.errors = [_("Bitte zuerst den Ort wählen: auf die Karte tippen oder suchen.")]
        return _render_form(form, 422)
    category = form.category.data if isinstance(form.category.data, int) else None
    return _render_form(form, 200, nearby=nearby(here[0], here[1], category))


def _offer_photo_position(form: ReportForm) -> None:
    """No pin but a photo with GPS: fill in the photo's position for the citizen to check."""
    if (form.lat.data or "").strip() or (form.lon.data or "").strip() or not form.uploads:
        return
    try:
        gps = first_position(form.uploads)
    except PhotoError:
        return
    if gps is None:
        return
    form.lat.data, form.lon.data = f"{gps[0]:.6f}", f"{gps[1]:.6f}"
    form.lat.errors = [
        _(
            "Sie haben keinen Ort gewählt. Ihr Foto enthält einen Standort; wir haben ihn "
            "eingetragen. Bitte prüfen Sie ihn und hängen Sie die Fotos erneut an."
        )
    ]
    form.lon.errors = []


@bp.route("/melden/foto-standort", methods=["POST"])
@limiter.limit(_report_limit)
def photo_position():
    """The position stored in a photo, so the form can offer it; the photo is not kept."""
    files = [f for f in request.files.getlist("photo") if isinstance(f, FileStorage)][:1]
    try:
        gps = first_position(files)
    except PhotoError as exc:
        return jsonify(error=str(exc)), 422
    return jsonify(lat=gps[0], lon=gps[1]) if gps else jsonify(lat=None, lon=None)


@bp.route("/melden/danke")
def confirmation():
    # Shown once: on a shared device the next person must not find the private link here.
    filed = session.pop("filed", None)
    if not filed:
        return redirect(url_for(".new_report"))
    report = service.find_by_case_number(filed["case"])
    if report is None:
        abort(404)
    link = url_for(".tracking", token=filed["token"], _external=True)
    page = render_template(
        "reports/confirmation.html",
        report=public_report(report),
        tracking_link=link,
        again=filed.get("again", False),
        token=filed["token"],
        link_form=LinkForm(),
        report_has_email=report.reporter_email is not None,
    )
    return private(make_response(page))


def _link_limit() -> str:
    return current_app.config["RATELIMIT_FOLLOW"]


@bp.route("/verfolgen/<token>/link-senden", methods=["POST"])
@limiter.limit(_link_limit)
def send_link(token: str):
    """The private link once by mail to the address typed (not kept)."""
    report = service.find_by_token(token)
    if report is None:
        abort(404)
    form = LinkForm()
    values = {"token": token, "case_number": report.case_number, "link_form": form}
    if not form.validate():
        page = render_template("reports/link_sent.html", sent=None, **values)
        return private(make_response(page, 422))
    link = url_for(".tracking", token=token, _external=True)
    notifications.send_tracking_link(report, link, form.email.data, preferred_language())
    db.session.commit()
    page = render_template("reports/link_sent.html", sent=form.email.data, **values)
    return private(make_response(page))


@bp.route("/verfolgen/<token>")
def tracking(token: str):
    report = service.find_by_token(token)
    if report is None:
        rejected = service.find_rejected_by_token(token)
        if rejected is None:
            abort(404)
        page = render_template("reports/rejected.html", rejected=rejected)
        return private(make_response(page, 410))
    shown = tracked_report(report)
    token_case = shown.case_number
    similar = [
        n for n in nearby(shown.lat, shown.lon, report.category_id) if n.case_number != token_case
    ]
    page = render_template(
        "reports/tracking.html",
        report=shown,
        token=token,
        nearby=similar,
        supported=support.supported_by(token, [n.case_number for n in similar]),
    )
    return private(make_response(page))


@bp.route("/verfolgen/<token>/fotos/<name>")
def tracking_photo(token: str, name: str):
    report = service.find_by_token(token)
    if report is None:
        abort(404)
    # The photo files the reporter's page shows; the timeline is not needed for that.
    if not any(name in (p.filename, p.thumbnail) for p in visible_photos(report, own=True)):
        abort(404)
    return private(storage.send_photo(name))
