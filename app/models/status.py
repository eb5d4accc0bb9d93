"""The report status model (see ARCHITECTURE.md) and the intake channels."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from flask_babel import lazy_gettext as _l


class Status(StrEnum):
    RECEIVED = "received"
    ACCEPTED = "accepted"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    NOT_RESPONSIBLE = "not_responsible"
    DUPLICATE = "duplicate"
    WONT_FIX = "wont_fix"
    # The reporter answered "Nein" to "Ist der Mangel behoben?" (app.feedback): open again.
    REOPENED = "reopened"

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])

    @property
    def is_open(self) -> bool:
        return self in OPEN_STATUSES


STATUS_LABELS = {
    Status.RECEIVED: _l("Eingegangen"),
    Status.ACCEPTED: _l("In Prüfung"),
    Status.IN_PROGRESS: _l("In Bearbeitung"),
    Status.RESOLVED: _l("Erledigt"),
    Status.NOT_RESPONSIBLE: _l("Nicht zuständig / weitergeleitet"),
    Status.DUPLICATE: _l("Duplikat"),
    Status.WONT_FIX: _l("Nicht lösbar"),
    Status.REOPENED: _l("Wieder offen"),
}
OPEN_STATUSES = frozenset({Status.RECEIVED, Status.ACCEPTED, Status.IN_PROGRESS, Status.REOPENED})
CLOSED_STATUSES = frozenset(set(Status) - OPEN_STATUSES)


class Channel(StrEnum):
    """How a report reached the city."""

    WEB = "web"
    API = "api"
    PHONE = "phone"
    LETTER = "letter"
    EMAIL = "email"
    APP = "app"  # the city's own app (Parse protocol)


class EventKind(StrEnum):
    STATUS_CHANGE = "status_change"
    PUBLIC_NOTE = "public_note"
    INTERNAL_NOTE = "internal_note"
    REASSIGNMENT = "reassignment"
    PHOTO = "photo"
    # Handed on to another body (see app.exchange).
    FORWARDED = "forwarded"


def sql_in(values: Iterable[StrEnum]) -> str:
    """A SQL list of enum values, for CHECK constraints and IN clauses."""
    return ", ".join(f"'{v.value}'" for v in sorted(values))
