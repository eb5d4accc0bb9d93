"""What the central inbox does to a report before and beside the departments' work: publish,
redact, hide photos, reject, mark duplicates, correct and forward. Dispatchers and admins only;
nothing here commits, and every action checks the version the person saw."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app
from sqlalchemy import delete, func, select

from app.alerts import matching as alerts
from app.extensions import db
from app.models import (
    Category,
    Department,
    District,
    EventKind,
    OutboxMail,
    Photo,
    Redaction,
    RejectedReport,
    Report,
    RoutingRule,
    Status,
    User,
)
from app.models.status import OPEN_STATUSES
from app.notifications import service as notifications
from app.public.filters import city_day
from app.redaction import service as redaction
from app.redaction.detect import Region
from app.reports.changes import set_status
from app.staff import rejections, returns
from app.staff.actions import ActionError, ChangedMeanwhile, check, clean_note, record

REJECT_REASONS = {"spam": "Spam", "abuse": "Missbrauch"}
DUPLICATE_RADIUS_M = 50


def inbox_only(user: User, report: Report, seen_version: int | None) -> None:
    """Dispatchers and admins only, on the version they saw (also used by handover)."""
    if user.role not in ("admin", "dispatcher"):
        raise PermissionError
    check(user, report, seen_version)


def _internal(report: Report, user: User, note: str) -> None:
    record(report, user, kind=EventKind.INTERNAL_NOTE, public=False, note=note)


def publish(user: User, report: Report, seen_version: int | None) -> None:
    """Text and photos checked for personal data: they become public."""
    inbox_only(user, report, seen_version)
    if report.published_at is not None:
        raise ActionError("Die Meldung ist bereits veröffentlicht.")
    if waiting := redaction.unreviewed(report):
        raise ActionError(_photos_waiting(report, waiting))
    report.published_at = datetime.now(UTC)
    redaction.moderation_done(report)
    _internal(report, user, "Geprüft und veröffentlicht.")
    db.session.flush()
    alerts.report_published(report)  # public now: the area alerts hear of it


def _photos_waiting(report: Report, waiting: list[Photo]) -> str:
    numbers = ", ".join(str(report.photos.index(p) + 1) for p in waiting)
    if any(p.redaction == Redaction.PENDING for p in waiting):
        return (
            f"Foto {numbers}: wird noch auf Gesichter und Kennzeichen durchsucht. Bitte in einer "
            "Minute erneut versuchen oder das Foto verbergen."
        )
    return (
        f"Foto {numbers}: Vorschläge für Gesichter oder Kennzeichen sind noch nicht bestätigt. "
        "Bitte erst die Bereiche prüfen und bestätigen oder das Foto verbergen."
    )


def review_photo(
    user: User, report: Report, seen_version: int | None, photo: Photo, regions: list[Region]
) -> None:
    """Staff confirmed which regions of a photo are blurred (faces, plates, drawn ones)."""
    inbox_only(user, report, seen_version)
    if photo.report_id != report.id:
        raise ActionError("Dieses Foto gehört nicht zu der Meldung.")
    # redaction.RegionError passes on: the form translates it, like the posted regions' errors.
    _internal(report, user, redaction.review(photo, regions))
    report.updated_at = datetime.now(UTC)  # as with toggle_photo: the version must move
    db.session.flush()


def redact(user: User, report: Report, seen_version: int | None, text: str | None) -> None:
    """Replace the public text (e.g. a name or a number plate cut out). The citizen's own words
    stay in original_description, for staff only."""
    inbox_only(user, report, seen_version)
    new = clean_note(text, current_app.config["DESCRIPTION_MAX_LENGTH"], "Der Text")
    if new is None:
        raise ActionError("Der Text darf nicht leer sein.")
    if new == report.description:
        raise ActionError("Der Text ist unverändert.")
    original = report.original_description or report.description
    report.description = new
    # Back to the citizen's exact words: nothing is redacted any more.
    report.original_description = None if new == original else original
    _internal(report, user, "Text für die Veröffentlichung bearbeitet.")
    db.session.flush()


def toggle_photo(user: User, report: Report, seen_version: int | None, photo: Photo) -> None:
    """Hide a photo from the public (faces, number plates) or show it again."""
    inbox_only(user, report, seen_version)
    if photo.report_id != report.id:
        raise ActionError("Dieses Foto gehört nicht zu der Meldung.")
    photo.hidden = not photo.hidden
    _internal(report, user, "Foto verborgen." if photo.hidden else "Foto wieder sichtbar.")
    # A photo alone does not change the report row, so its version is raised by hand.
    report.updated_at = datetime.now(UTC)
    db.session.flush()


def reject(
    user: User, report: Report, seen_version: int | None, reason: str, note: str | None
) -> None:
    """Spam or abuse: the report is deleted, so it leaves every public output at once (map
    rollups by their trigger). A short record stays for staff and for the tracking link."""
    inbox_only(user, report, seen_version)
    if reason not in REJECT_REASONS:
        raise ActionError("Bitte einen Grund wählen: Spam oder Missbrauch.")
    copies = db.session.scalars(
        select(Report.case_number).where(Report.duplicate_of_id == report.id)
    ).all()
    if copies:
        raise ActionError(
            "Andere Meldungen sind als Duplikat dieser Meldung geschlossen "
            f"({', '.join(copies)}); sie kann daher nicht abgelehnt werden."
        )
    db.session.add(
        RejectedReport(
            case_number=report.case_number,
            reason=reason,
            note=clean_note(note),
            description=report.original_description or report.description,
            category_name=report.category.name,
            tracking_token_hash=report.tracking_token_hash,
            reported_at=report.created_at,
            rejected_by=user.name,
            rejected_by_id=user.id,
            # The photo files stay with it for the day (see app.staff.rejections).
            snapshot=rejections.snapshot(report),
        )
    )
    # Alert mails about it that wait in the outbox would carry the spam out after all.
    db.session.execute(
        delete(OutboxMail).where(
            OutboxMail.report_id == report.id,
            OutboxMail.kind == "alert",
            OutboxMail.state == "pending",
        )
    )
    db.session.delete(report)
    db.session.flush()


def duplicate_candidates(report: Report, limit: int = 10) -> list[tuple[Report, float]]:
    """Open reports of the same category within 50 m with their distance in metres, nearest
    first."""
    here = func.geography(Report.location)
    there = select(Report.location).where(Report.id == report.id).scalar_subquery()
    # 0.001° is more than 50 m in both directions at German latitudes: the box uses the index.
    near = Report.location.op("&&")(func.ST_Expand(there, 0.001))
    metres = func.ST_Distance(here, func.geography(there))
    rows = db.session.execute(
        select(Report, metres)
        .where(
            near,
            func.ST_DWithin(here, func.geography(there), DUPLICATE_RADIUS_M),
            Report.id != report.id,
            Report.category_id == report.category_id,
            Report.status.in_([s.value for s in OPEN_STATUSES]),
        )
        # Equally near (one spot reported twice): the newest first, most likely the same one.
        .order_by(metres, Report.created_at.desc())
        .limit(limit)
    )
    return [(found, float(distance)) for found, distance in rows]


def _lock_and_recheck(report: Report, original: Report, seen_version: int | None) -> None:
    """Two dispatchers marking A as duplicate of B and B of A at once would close both. Both rows
    are locked in id order (no deadlock), then read again: the second one sees the first."""
    ids = sorted([report.id, original.id])
    db.session.execute(
        select(Report.id).where(Report.id.in_(ids)).order_by(Report.id).with_for_update()
    )
    db.session.refresh(report)
    db.session.refresh(original)
    if report.version != seen_version:
        raise ChangedMeanwhile


def mark_duplicate(user: User, report: Report, seen_version: int | None, original: Report) -> None:
    """Close the report as a duplicate; its public page links to the original."""
    inbox_only(user, report, seen_version)
    if original.id == report.id:
        raise ActionError("Eine Meldung kann kein Duplikat von sich selbst sein.")
    _lock_and_recheck(report, original, seen_version)
    if original.duplicate_of is not None:
        raise ActionError(
            f"Meldung {original.case_number} ist selbst ein Duplikat von "
            f"{original.duplicate_of.case_number}; bitte diese wählen."
        )
    if report.status == Status.DUPLICATE:
        raise ActionError("Die Meldung ist bereits als Duplikat geschlossen.")
    # Reports that pointed to this one now point to the original: no chains. Through the ORM,
    # so their versions rise and pages open on them notice.
    for earlier in db.session.scalars(select(Report).where(Report.duplicate_of_id == report.id)):
        earlier.duplicate_of = original
    report.duplicate_of = original
    report.status = Status.DUPLICATE.value
    report.updated_at = datetime.now(UTC)
    record(
        report,
        user,
        kind=EventKind.STATUS_CHANGE,
        status=Status.DUPLICATE.value,
        public=True,
        note=f"Duplikat von Meldung {original.case_number}.",
    )
    notifications.duplicate_closed(
        report, original, f"Duplikat von Meldung {original.case_number}."
    )
    db.session.flush()


def undo_duplicate(user: User, report: Report, seen_version: int | None) -> None:
    """Take back a duplicate closed today (Berlin time): the report returns to the status it
    had before, on its own again. Later days stay as they are (mails went out, crews moved on)."""
    inbox_only(user, report, seen_version)
    events = sorted(report.events, key=lambda e: (e.created_at, e.id))
    closings = [n for n, e in enumerate(events) if e.status == Status.DUPLICATE.value]
    if report.status != Status.DUPLICATE.value or not closings:
        raise ActionError("Die Meldung ist nicht als Duplikat geschlossen.")
    closing = events[closings[-1]]
    if city_day(closing.created_at) != city_day(datetime.now(UTC)):
        raise ActionError("Ein Duplikat lässt sich nur am selben Tag wieder aufheben.")
    before = [e.status for e in events[: closings[-1]] if e.status]
    previous = Status(before[-1]) if before else Status.RECEIVED
    original = report.duplicate_of
    if original is not None:
        notifications.duplicate_undone(report, original)
    report.duplicate_of = None
    set_status(report, previous, None)
    record(
        report,
        user,
        kind=EventKind.STATUS_CHANGE,
        status=previous.value,
        public=True,
        note=f"Doch kein Duplikat von Meldung {original.case_number if original else '–'}.",
    )
    db.session.flush()


def reassign(user: User, report: Report, seen_version: int | None, department: Department) -> None:
    """Move the report to another department's queue; the public sees it was forwarded."""
    inbox_only(user, report, seen_version)
    if department.id == report.department_id:
        raise ActionError("Die Meldung liegt bereits bei dieser Abteilung.")
    _move_to(report, user, department)
    db.session.flush()


def _move_to(report: Report, user: User, department: Department) -> None:
    report.department = department
    returns.settle(report)  # a job a crew sent back has found its department
    report.updated_at = datetime.now(UTC)
    if report.assignee is not None and not report.assignee.works_for(department.id):
        report.assignee = None  # the new department assigns its own people
    record(
        report,
        user,
        kind=EventKind.REASSIGNMENT,
        note=f"Weitergeleitet an {department.name}.",
        public=True,
    )
    notifications.report_forwarded(report)


def _routed_department(report: Report) -> Department:
    """Who is responsible for the report's category in its district (as when it was filed)."""
    rule = db.session.scalar(
        select(RoutingRule).where(
            RoutingRule.category_id == report.category_id,
            RoutingRule.district_id == report.district_id,
        )
    )
    if rule is not None:
        return db.session.get_one(Department, rule.department_id)
    return report.category.default_department


def correct(
    user: User,
    report: Report,
    seen_version: int | None,
    value: Category | District,
    reroute: bool = True,
) -> None:
    """Correct the category or the district; the public timeline says what changed, and the
    report moves to the department responsible for the corrected pair (`reroute` False: the
    caller corrects the other one too and reroutes then, so one department hears of it)."""
    inbox_only(user, report, seen_version)
    field, label = (
        ("category", "Kategorie") if isinstance(value, Category) else ("district", "Stadtbezirk")
    )
    if isinstance(value, Category) and not value.active:
        raise ActionError(f"Unbekannte Angabe für {label}.")
    if getattr(report, f"{field}_id") == value.id:
        raise ActionError(f"{label} ist bereits „{value.name}“.")
    setattr(report, field, value)
    report.updated_at = datetime.now(UTC)
    record(
        report,
        user,
        kind=EventKind.REASSIGNMENT,
        public=True,
        note=f"{label} berichtigt: {value.name}.",
    )
    db.session.flush()
    if not reroute:
        return
    responsible = _routed_department(report)
    if responsible.id != report.department_id:
        _move_to(report, user, responsible)
        db.session.flush()
