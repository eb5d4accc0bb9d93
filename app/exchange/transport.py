"""What every transport (Open311, e-mail; FIT-Connect later, see docs/fit-connect.md) shares:
the two kinds of failure, and an update read back from a body."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.models import Status


class RetryableError(Exception):
    """Try again later: the peer is unreachable, timed out, overloaded (5xx, 429)."""


class PermanentError(Exception):
    """Trying again changes nothing until someone fixes it: a wrong key, an unknown service
    code, a malformed answer. The job fails and waits for staff."""


@dataclass(frozen=True)
class RemoteUpdate:
    """A status change or note of a body on a report we forwarded to it."""

    remote_id: str  # their id of the report
    key: str  # unique per update at that body: a second read adds nothing
    at: datetime
    status: Status | None
    note: str | None
