"""The staff area. Login is enforced for all of /staff by app.auth.views.guard; roles here."""

from __future__ import annotations

import uuid

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from app.auth.access import roles
from app.coordinates import parse_coordinate
from app.exchange.bodies import all_bodies
from app.extensions import db
from app.media import storage
from app.media.images import PhotoError
from app.models import RejectedReport, Report, Status
from app.models.status import Channel
from app.public.service import city_bounds
from app.reports import place_search, rules
from app.reports.forms import IntakeForm
from app.reports.place_search import PlaceSection
from app.reports.service import ReportRefused, active_categories, find_by_case_number, submit
from app.security import private
from app.staff import (
    actions,
    crew,
    handover,
    moderation,
    rejections,
    replay,
    returns,
    service,
    textbausteine,
)
from app.staff.forms import FORMS
from app.staff.service import all_departments
from app.staff.triage import TriageForm

bp = Blueprint("staff", __name__, url_prefix="/staff")


@bp.after_request
def _not_kept(response: Response) -> Response:
    """Staff pages hold reporters' names, addresses and phone numbers: no browser cache keeps
    them (the back button after logout shows nothing); the offline copies are the service
    worker's, which ignores this and is cleared at logout. Its script and manifest may be kept
    but revalidated."""
    if "Cache-Control" not in response.headers:
        private(response)
    return response


# The single actions and the dispatcher's one-step triage ("pruefen").
ACTIONS = {**FORMS, "pruefen": TriageForm}


@bp.app_template_filter("map_points")
def map_points(reports: list[Report]) -> list[dict]:
    """What the staff list map needs of each report (read by static/js/map.js)."""
    return [
        {
            "lat": r.lat,
            "lon": r.lon,
            "status": r.status,
            "title": f"{r.case_number} · {r.category.name}",
            "url": url_for("staff.report", case_number=r.case_number),
        }
        for r in reports
    ]


@bp.app_template_global("staff_counts")
def staff_counts() -> dict[str, int]:
    """The waiting reports per queue, for the navigation (computed only where it is shown)."""
    return service.counts(current_user)


@bp.route("/")
@roles("admin", "dispatcher", "crew")
def home():
    if current_user.role == "crew":
        return redirect(url_for(".queue"))
    return redirect(url_for(".inbox"))


@bp.route("/eingang")
@roles("admin", "dispatcher")
def inbox():
    sort = request.args.get("sortierung", "alter")
    if sort not in service.INBOX_SORTS:
        flash(_("Unbekannte Sortierung; der Eingang zeigt die ältesten zuerst."), "error")
        sort = "alter"
    rows = service.inbox_rows(sort=sort)
    return render_template(
        "staff/inbox.html",
        rows=rows,
        sort=sort,
        reports=[row.report for row in rows],  # for the list's map
        priorities=actions.PRIORITIES,
        returned=returns.waiting(),
    )


@bp.route("/warteschlange")
@roles("admin", "dispatcher", "crew")
def queue():
    sort = request.args.get("sortierung", "alter")
    here = None
    try:
        here = (
            parse_coordinate(request.args.get("lat"), -90, 90),
            parse_coordinate(request.args.get("lon"), -180, 180),
        )
    except ValueError:
        if sort == "naehe":
            flash(_("Für „Nähe“ wird Ihr Standort gebraucht."), "error")
    choices = _queue_choices()
    only = service.QueueFilter(
        **{key: _choice(key, choices[key]) for key in ("status", "district", "category")}
    )
    reports = service.queue(current_user, sort, here, only)
    return render_template(
        "staff/queue.html",
        reports=reports,
        rows=crew.queue_rows(reports, here),
        here=here,
        sort=sort,
        choices=choices,
        only=only,
    )


def _queue_choices() -> dict[str, list[tuple[str, str]]]:
    return {
        "status": [(s.value, s.label) for s in Status if s.is_open],
        "district": [(d.code, d.name) for d in service.all_districts()],
        "category": [(c.code, c.name) for c in active_categories()],
    }


def _choice(key: str, allowed: list[tuple[str, str]]) -> str | None:
    """A filter value from the query string; an unknown one is named and ignored."""
    value = request.args.get(key, "")
    if value and value not in {code for code, _label in allowed}:
        flash(_("Unbekannter Filterwert wird ignoriert: %(key)s", key=key), "error")
        return None
    return value or None


def _report(case_number: str) -> Report:
    report = find_by_case_number(case_number)
    if report is None:
        abort(404)
    if not actions.may_work_on(current_user, report):
        abort(403)
    return report


@bp.route("/meldungen/<case_number>")
@roles("admin", "dispatcher", "crew")
def report(case_number: str):
    return _detail(case_number, 200)


@bp.route("/meldungen/<case_number>/<action>", methods=["POST"])
@roles("admin", "dispatcher", "crew")
def act(case_number: str, action: str):
    if action not in ACTIONS:
        abort(404)
    if (done := replay.claim(case_number, action)) is not None:
        return done  # this form's request_key took effect already, or is refused
    form = ACTIONS[action](_report(case_number))
    try:
        form.authorise(current_user)
        if not form.validate():
            raise actions.ActionError(form.first_error())
        form.perform(current_user)
        replay.settle(form.report)
        db.session.commit()
    except PermissionError:
        db.session.rollback()
        abort(403)
    except (actions.ChangedMeanwhile, StaleDataError):
        # StaleDataError: someone saved between our check and our write (SQLAlchemy's check).
        db.session.rollback()
        flash(
            _("Die Meldung wurde inzwischen geändert. Bitte prüfen Sie den aktuellen Stand."),
            "error",
        )
        return _detail(case_number, 409, crew.kept_input(action))
    except (actions.ActionError, PhotoError) as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _detail(case_number, 422, crew.kept_input(action))
    if action == "ablehnen":
        flash(
            _(
                "Meldung %(n)s abgelehnt und aus allen öffentlichen Ansichten entfernt. "
                "Heute lässt sich das unter „Heute abgelehnt“ noch aufheben.",
                n=case_number,
            ),
            "ok",
        )
        return redirect(url_for(".inbox"))
    if action == "zurueck":
        flash(_("Meldung %(n)s ist zurück bei der Leitstelle.", n=case_number), "ok")
        return crew.saved(url_for(".queue"))
    flash(_("Gespeichert."), "ok")
    return crew.saved(form.done_url() or url_for(".report", case_number=case_number))


def _detail(case_number: str, status: int, kept: crew.Kept | None = None):
    """The staff page of a report, also after a refused action (with its message and what
    the refused form carried)."""
    found = _report(case_number)
    page = render_template(
        "staff/report.html",
        report=found,
        statuses=list(Status),
        departments=all_departments(),
        priorities=actions.PRIORITIES,
        categories=active_categories(),
        districts=service.all_districts(),
        colleagues=actions.colleagues(found),
        reject_reasons=moderation.REJECT_REASONS,
        candidates=_candidates(found),
        bodies=all_bodies(),
        jobs=handover.jobs_of(found),
        job_states=handover.JOB_STATES,
        templates=textbausteine.offered(found),
        # After a refused triage (422) its form shows what was typed. Never after a 409: the
        # stored values changed meanwhile (a colleague's redaction must not come back), and
        # never another form's fields.
        sent=request.form if status == 422 and _acted() == "pruefen" else None,
        crew=crew.crew_page(found, kept),
    )
    return page, status


@bp.route("/abgelehnt")
@roles("admin", "dispatcher")
def rejected():
    """Today's rejections, which can still be taken back."""
    return render_template("staff/rejected.html", rejected=rejections.rejected_today())


@bp.route("/abgelehnt/<int:rejected_id>/wiederherstellen", methods=["POST"])
@roles("admin", "dispatcher")
def restore(rejected_id: int):
    # Locked: two restores at once must not insert the report twice.
    found = (
        db.session.get(RejectedReport, rejected_id, with_for_update=True)
        if 0 < rejected_id < 2**62
        else None
    )
    if found is None:
        abort(404)
    try:
        report = rejections.restore(current_user, found)
        db.session.commit()
    except actions.ActionError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for(".rejected"))
    flash(_("Meldung %(n)s ist wieder da.", n=report.case_number), "ok")
    return redirect(url_for(".report", case_number=report.case_number))


@bp.route("/meldungen/<case_number>/duplikat-pruefen")
@roles("admin", "dispatcher")
def confirm_duplicate(case_number: str):
    """Both reports side by side before one is closed as the other's duplicate."""
    found = _report(case_number)
    original = find_by_case_number((request.args.get("original") or "").strip()[:30])
    if original is None or original.id == found.id:
        flash(_("Keine andere Meldung mit dieser Vorgangsnummer."), "error")
        return _detail(case_number, 422)
    return render_template("staff/duplicate.html", report=found, original=original)


def _acted() -> str | None:
    return (request.view_args or {}).get("action") if request.method == "POST" else None


def _candidates(report: Report) -> list[tuple[Report, float]]:
    if current_user.role not in ("admin", "dispatcher") or not report.status_enum.is_open:
        return []
    return moderation.duplicate_candidates(report)


@bp.route("/meldungen/<case_number>/fotos/<name>")
@roles("admin", "dispatcher", "crew")
def photo(case_number: str, name: str):
    found = _report(case_number)
    if not any(name in (p.filename, p.thumbnail) for p in found.photos):
        abort(404)
    response = storage.send_photo(name)
    response.headers["Cache-Control"] = "no-store, private"
    return response


@bp.route("/meldungen/<case_number>/original/<name>")
@roles("admin", "dispatcher")
def original_photo(case_number: str, name: str):
    """A photo as uploaded, before faces and plates were blurred: for the inbox's check only.
    Its own path, which the staff app's service worker never keeps on a device."""
    found = _report(case_number)
    if not any(p.original == name for p in found.photos):
        abort(404)
    response = storage.send_photo(name)
    response.headers["Cache-Control"] = "no-store, private"
    return response


@bp.route("/erfassen", methods=["GET", "POST"])
@roles("admin", "dispatcher")
def intake():
    """Enter a report that came by phone, letter or email; routed like any other."""
    form = IntakeForm(categories=active_categories())
    if request.method != "POST":
        form.submission_key.data = uuid.uuid4().hex
        return _intake_page(form)
    if place_search.asked(form):  # the address search: files nothing
        places = place_search.answer(form)
        return _intake_page(form, places.status, places)
    if not place_search.take_choice(form) or not form.validate():
        return _intake_page(form, 422)
    try:
        # The caller's language is unknown (not the staff browser's): German.
        filed = submit(form.draft(Channel(form.channel.data), "de"))
        db.session.commit()
    except ReportRefused as refused:
        db.session.rollback()
        form.show(refused)
        return _intake_page(form, 422)
    link = url_for("reports.tracking", token=filed.tracking_token, _external=True)
    flash(
        _(
            "Meldung %(n)s erfasst. Privater Link für die meldende Person: %(link)s",
            n=filed.report.case_number,
            link=link,
        ),
        "ok",
    )
    return redirect(url_for(".report", case_number=filed.report.case_number))


def _intake_page(form: IntakeForm, status: int = 200, places: PlaceSection | None = None):
    page = render_template(
        "reports/form.html",
        form=form,
        bounds=city_bounds(),
        limits=rules.limits(),
        places=places or place_search.section(form),
        heading=_("Meldung erfassen (Telefon, Brief, E-Mail)"),
        form_action=url_for(".intake"),
    )
    return page, status
