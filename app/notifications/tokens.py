"""Signed links in mails: confirm a follow request or an area alert, unsubscribe. No login —
the signature (SECRET_KEY) proves the link came from us, the id says what it is about; the
purpose keeps a link for one thing from working for another."""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

CONFIRM_MAX_AGE = 7 * 24 * 3600


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"mail-{purpose}")


def sign(purpose: str, record_id: int) -> str:
    return _serializer(purpose).dumps(record_id)


def read(purpose: str, token: str, max_age: int | None = None) -> int | None:
    """The id in a link, or None when the link is forged, altered or too old."""
    if not token or len(token) > 200:
        return None
    try:
        value = _serializer(purpose).loads(token, max_age=max_age)
    except BadSignature:  # also SignatureExpired
        return None
    return value if isinstance(value, int) else None
