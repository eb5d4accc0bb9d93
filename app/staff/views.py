"""The staff area. Login is enforced for all of /staff by app.auth.views.guard; roles here."""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from app.auth.access import roles
from app.coordinates import parse_coordinate
from app.exchange.bodies import all_bodies
from app.extensions import db
from app.media import storage
from app.media.images import PhotoError
from app.models import Report, Status
from app.models.status import Channel
from app.public.service import city_bounds
from app.reports import place_search, rules
from app.reports.forms import IntakeForm
from app.reports.place_search import PlaceSection
from app.reports.service import ReportRefused, active_categories, find_by_case_number, submit
from app.staff import actions, handover, moderation, replay, service
from app.staff.forms import FORMS
from app.staff.service import all_departments

bp = Blueprint("staff", __name__, url_prefix="/staff")


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


@bp.route("/")
@roles("admin", "dispatcher", "crew")
def home():
    if current_user.role == "crew":
        return redirect(url_for(".queue"))
    return redirect(url_for(".inbox"))


@bp.route("/eingang")
@roles("admin", "dispatcher")
def inbox():
    return render_template("staff/inbox.html", reports=service.inbox())


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
        "staff/queue.html", reports=reports, sort=sort, choices=choices, only=only
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
    if action not in FORMS:
        abort(404)
    if (done := replay.claim(case_number, action)) is not None:
        return done  # this form's request_key took effect already, or is refused
    form = FORMS[action](_report(case_number))
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
        return _detail(case_number, 409)
    except (actions.ActionError, PhotoError) as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _detail(case_number, 422)
    if action == "ablehnen":
        flash(
            _(
                "Meldung %(n)s abgelehnt und aus allen öffentlichen Ansichten entfernt.",
                n=case_number,
            ),
            "ok",
        )
        return redirect(url_for(".inbox"))
    flash(_("Gespeichert."), "ok")
    return redirect(url_for(".report", case_number=case_number))


def _detail(case_number: str, status: int):
    """The staff page of a report, also after a refused action (with its message)."""
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
    )
    return page, status


def _candidates(report: Report) -> list[Report]:
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
