"""Changes to a filed report that more than one door makes: staff in their area, partners
through Open311's service request updates. Nothing here commits."""

from __future__ import annotations

from datetime import UTC, datetime

from app.feedback import asking
from app.models import Report, Status
from app.notifications import service as notifications


def set_status(
    report: Report, new: Status, public_note: str | None, note_from: str | None = None
) -> None:
    """A new status, the same whoever sets it: a reopened report is no duplicate any more,
    and the reporter and confirmed followers get the status mail with the public note
    (`note_from` names a partner whose words the note is; None: the city's). A resolution
    asks the reporter whether the defect is gone (app.feedback)."""
    if new.is_open:
        report.duplicate_of = None
    report.status = new.value
    report.updated_at = datetime.now(UTC)
    feedback = asking.ask(report) if new == Status.RESOLVED else None
    notifications.report_updated(report, public_note, note_from=note_from, feedback=feedback)
