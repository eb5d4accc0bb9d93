"""The bulk form under the inbox and queue lists ("Ausgewählte: Status setzen / zuweisen")."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, url_for
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.auth.access import roles
from app.auth.views import CONTROL
from app.extensions import db
from app.models import Report, User
from app.staff import actions, bulk
from app.staff.views import bp

# The lists that carry the bulk form: after the action the person is back where they were.
LISTS = ("/staff/eingang", "/staff/warteschlange")


@bp.app_template_global()
def bulk_statuses() -> list[tuple[str, str]]:
    return [(s.value, s.label) for s in bulk.statuses()]


@bp.app_template_global()
def bulk_colleagues() -> list[User]:
    return bulk.assignable(current_user)


@bp.route("/auswahl", methods=["POST"])
@roles("admin", "dispatcher", "crew")
def bulk_action():
    form = request.form
    back = _back(form.get("zurueck"))
    picks: list[bulk.Pick] = []
    try:
        picks = bulk.parse_selection(form.getlist("auswahl"))
        message = _perform(form.get("aktion"), picks)
        db.session.commit()
    except bulk.BulkRefused as refused:
        db.session.rollback()
        return _refused(str(refused), refused.status, picks, back)
    flash(message, "ok")
    return redirect(back, 303)


def _perform(action: str | None, picks: list[bulk.Pick]) -> str:
    form = request.form
    if action == "status":
        public = form.get("visibility") == "public"
        status, note = form.get("status"), form.get("note")
        new, done = bulk.set_status(current_user, picks, status, note, public)
        return ngettext(
            "Status „%(status)s“ für %(num)d Meldung gesetzt: %(cases)s.",
            "Status „%(status)s“ für %(num)d Meldungen gesetzt: %(cases)s.",
            len(done),
            status=new.label,
            cases=", ".join(done),
        )
    if action == "zuweisen":
        colleague, done = bulk.assign(current_user, picks, form.get("assignee"))
        return ngettext(
            "%(num)d Meldung an %(name)s zugewiesen: %(cases)s.",
            "%(num)d Meldungen an %(name)s zugewiesen: %(cases)s.",
            len(done),
            name=colleague.name,
            cases=", ".join(done),
        )
    raise bulk.BulkRefused(f"Bitte „Status setzen“ oder „Zuweisen“ wählen. {bulk.NOTHING_CHANGED}")


def _back(target: str | None) -> str:
    """The list the form was sent from (with its filters); only those two lists, never an
    address elsewhere."""
    parts = urlsplit(target or "")
    if (
        target
        and not parts.scheme
        and not parts.netloc
        and parts.path in LISTS
        and not CONTROL.search(target)
        and "\\" not in target
    ):
        return target
    return url_for(".home")


def _refused(message: str, status: int, picks: list[bulk.Pick], back: str):
    """The selection again, still ticked, with everything typed, and what was refused: the
    person can untick that report and send again."""
    page = render_template(
        "staff/bulk.html",
        message=message,
        reports=_still_selectable(picks),
        bulk_checked={p.case_number for p in picks},
        bulk_values=request.form,
        bulk_back=back,
    )
    return page, status


def _still_selectable(picks: list[bulk.Pick]) -> list[Report]:
    """The selected reports the person may work on, as they are now."""
    if not picks:
        return []
    reports = db.session.scalars(
        select(Report)
        .where(Report.case_number.in_([p.case_number for p in picks]))
        .options(joinedload(Report.category), joinedload(Report.district))
        .order_by(Report.created_at, Report.id)
    )
    return [r for r in reports if actions.may_work_on(current_user, r)]
