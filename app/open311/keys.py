"""Where a POST's API key comes from, and how often one key may file.

The key travels in the X-Api-Key header or the form field api_key, never in the address (access
logs, proxies and histories keep addresses). RATELIMIT_OPEN311_KEY limits the POSTs per key; the
limiter counts under the key's hash, so the plain key is never stored, not even there.
"""

from __future__ import annotations

import math
import time

from flask import current_app, request
from flask_limiter.errors import RateLimitExceeded
from flask_limiter.util import get_remote_address
from werkzeug.exceptions import HTTPException

from app.extensions import limiter
from app.open311.filing import key_hash
from app.open311.params import ApiError, optional

KEY_HEADER = "X-Api-Key"
UNITS = {
    "second": ("Sekunde", "Sekunden"),
    "minute": ("Minute", "Minuten"),
    "hour": ("Stunde", "Stunden"),
    "day": ("Tag", "Tage"),
    "month": ("Monat", "Monate"),
    "year": ("Jahr", "Jahre"),
}


def api_key() -> str | None:
    """The key of this POST; a key in the query string is refused, not used."""
    if "api_key" in request.args:
        raise ApiError(
            400,
            [
                "api_key: Bitte nicht in der Adresse (Query-String) senden, dort landet er "
                "in Protokollen. Senden Sie ihn im Formularfeld api_key oder im Kopffeld "
                f"{KEY_HEADER}."
            ],
        )
    return presented_key()


def presented_key() -> str | None:
    """The key from the header or the body, None without one (or with an unreadable body)."""
    try:
        in_body = optional(request.form, "api_key")
    except HTTPException:  # too large: the view answers that in Open311's format
        in_body = None
    return optional(request.headers, KEY_HEADER) or in_body


def limit() -> str:
    return current_app.config["RATELIMIT_OPEN311_KEY"]


def bucket() -> str:
    """What the limiter counts under: the key's hash; without a key, the client address."""
    key = presented_key()
    return f"open311-key:{key_hash(key)}" if key else f"open311-address:{get_remote_address()}"


def too_many(error: RateLimitExceeded) -> tuple[str, int]:
    """The German description of a breached limit and the seconds until it resets."""
    item = error.limit.limit
    singular, plural = UNITS.get(item.GRANULARITY.name, (item.GRANULARITY.name,) * 2)
    per = f"pro {singular}" if item.multiples == 1 else f"in {item.multiples} {plural}"
    current = limiter.current_limit
    window = item.get_expiry()
    # The storage keeps whole seconds: never more than one window.
    wait = min(math.ceil(current.reset_at - time.time()), window) if current else window
    message = (
        f"Zu viele Anfragen mit diesem API-Schlüssel: höchstens {item.amount} {per}. "
        "Bitte später noch einmal versuchen."
    )
    return message, max(1, wait)
