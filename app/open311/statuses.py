"""Our statuses in the words of mySociety's service request updates, both ways, in one place.

Going out, every status has one value (lower case). Coming in (UPPER case, as the extension
defines it), most values name a status; OPEN, REOPEN and CLOSED only say on which side a report
is, so a report already on that side keeps its finer status (FixMyStreet sends OPEN or CLOSED
with every comment unless it is set up for extended statuses).
"""

from __future__ import annotations

from app.models import Status

OUTGOING: dict[Status, str] = {
    Status.RECEIVED: "open",
    Status.ACCEPTED: "investigating",
    Status.IN_PROGRESS: "in_progress",
    Status.RESOLVED: "fixed",
    Status.NOT_RESPONSIBLE: "not_councils_responsibility",
    Status.DUPLICATE: "duplicate",
    Status.WONT_FIX: "no_further_action",
    # The extension has no value of its own for a report the reporter reopened; "open" comes
    # back as OPEN, which leaves an open report as it is.
    Status.REOPENED: "open",
}

# Values that name a status of ours (the nearest where we have no exact match).
INCOMING: dict[str, Status] = {
    "FIXED": Status.RESOLVED,
    "IN_PROGRESS": Status.IN_PROGRESS,
    "ACTION_SCHEDULED": Status.IN_PROGRESS,
    "INVESTIGATING": Status.ACCEPTED,
    "FOR_TRIAGE": Status.RECEIVED,
    "DUPLICATE": Status.DUPLICATE,
    "NOT_COUNCILS_RESPONSIBILITY": Status.NOT_RESPONSIBLE,
    "INTERNAL_REFERRAL": Status.NOT_RESPONSIBLE,
    "NO_FURTHER_ACTION": Status.WONT_FIX,
}
# Values that only say open or closed: the status a report on the other side gets.
SIDES: dict[str, Status] = {
    "OPEN": Status.RECEIVED,
    "REOPEN": Status.RECEIVED,
    "CLOSED": Status.RESOLVED,
}
VALUES = (*INCOMING, *SIDES)


def outgoing(status: str) -> str:
    return OUTGOING[Status(status)]


def incoming(value: str, current: Status) -> Status:
    """The status a report in `current` gets from an update's value (one of VALUES)."""
    if value in INCOMING:
        return INCOMING[value]
    side = SIDES[value]
    return current if current.is_open == side.is_open else side
