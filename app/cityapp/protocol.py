"""The city app's wire format (Parse REST conventions, see docs/city-app-protocol.md): reading a
defect report into the rulebook's draft, and writing Parse's dates and errors."""

from __future__ import annotations

import base64
import binascii
import io
import json
from datetime import UTC, datetime
from typing import Any

from flask import current_app
from werkzeug.datastructures import FileStorage

from app.addresses.search import MAX_QUERY, exact
from app.models import Channel
from app.reports.rules import Draft

# Parse's error codes that the apps know (they show a generic failure for every one).
OBJECT_NOT_FOUND = 101
INVALID_JSON = 107
OPERATION_FORBIDDEN = 119
FILE_TOO_LARGE = 130
VALIDATION_ERROR = 142
REQUEST_LIMIT_EXCEEDED = 155
# Android sends the phone as the string "0": no number.
NO_PHONE = "0"
# Texts in a report hold a few thousand characters; brackets beyond that are no report.
MAX_BRACKETS = 5000


class ParseError(Exception):
    """An answer in Parse's error shape: {"code": …, "error": …} with an HTTP status."""

    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def parse_date(moment: datetime) -> str:
    """yyyy-MM-dd'T'HH:mm:ss.SSS'Z' exactly: iOS refuses any other form (isoformat included)."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def read_body(raw: bytes) -> dict[str, Any]:
    """The JSON object of a request. A real report has a handful of brackets: millions of
    empty objects (a gigabyte of memory) or deep nesting are refused before parsing."""
    if raw.count(b"{") + raw.count(b"[") > MAX_BRACKETS:
        raise ParseError(400, INVALID_JSON, "Die Anfrage ist kein gültiges JSON.")
    try:
        body = json.loads(raw.decode("utf-8"))
        # A lone surrogate ("\ud800") is valid JSON but no text the database can store.
        json.dumps(body, ensure_ascii=False).encode("utf-8")
    except (UnicodeError, ValueError, RecursionError):
        raise ParseError(400, INVALID_JSON, "Die Anfrage ist kein gültiges JSON.") from None
    if not isinstance(body, dict):
        raise ParseError(400, INVALID_JSON, "Erwartet wird ein JSON-Objekt.")
    return body


def draft(body: dict[str, Any]) -> Draft:
    """A DefectFormData body as the rulebook's draft. The app asks for consent in its own
    privacy text (GET config), so the draft does not."""
    phone = _text(body, "phone")
    lat, lon = _geopoint(body)
    if lat == 0 and lon == 0:
        lat, lon = _from_address(_text(body, "address"))
    return Draft(
        category_app_id=_text(body, "contactId"),
        description=_text(body, "message"),
        lat=lat,
        lon=lon,
        place=_place(body),
        name=_text(body, "name"),
        email=_text(body, "email"),
        phone=None if phone in (None, NO_PHONE) else phone,
        photos=_photos(body),
        channel=Channel.APP,
    )


def _text(body: dict[str, Any], key: str) -> str | None:
    value = body.get(key)
    if value is None or isinstance(value, str):
        return value
    raise ParseError(400, VALIDATION_ERROR, f"{key}: Text erwartet.")


def _geopoint(body: dict[str, Any]) -> tuple[float | None, float | None]:
    """Latitude and longitude; 0/0 is what Android sends when the phone found no place."""
    point = body.get("geopoint")
    if point is None:
        return None, None
    if not isinstance(point, dict) or point.get("__type", "GeoPoint") != "GeoPoint":
        raise ParseError(400, VALIDATION_ERROR, "geopoint: Erwartet wird ein GeoPoint.")
    lat, lon = point.get("latitude"), point.get("longitude")
    try:
        if isinstance(lat, bool) or isinstance(lon, bool):
            raise TypeError
        lat, lon = float(lat), float(lon)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        raise ParseError(
            400, VALIDATION_ERROR, "geopoint: Breiten- und Längengrad als Zahlen erwartet."
        ) from None
    return lat, lon


def _from_address(address: str | None) -> tuple[float, float]:
    """Android sends 0/0 when the phone found no place: then the street and house number of its
    address line, if our address search knows exactly that house."""
    street = (address or "").split(",")[0].strip()
    found = exact(street) if street and len(street) <= MAX_QUERY else None
    if found is None:
        raise ParseError(
            400,
            VALIDATION_ERROR,
            "Ihr Telefon hat keinen Ort übermittelt. Bitte wählen Sie den Ort auf der Karte.",
        )
    return found.lat, found.lon


def _place(body: dict[str, Any]) -> str | None:
    """The address as the phone's geocoder wrote it; Android's line already names postcode
    and city, iOS sends the street alone."""
    address, postcode, city = (_text(body, k) or "" for k in ("address", "postalCode", "city"))
    parts = [address.strip()]
    rest = " ".join(p.strip() for p in (postcode, city) if p.strip())
    if rest and rest not in address:
        parts.append(rest)
    return ", ".join(p for p in parts if p) or None


def _photos(body: dict[str, Any]) -> list[FileStorage]:
    """The images as uploads: standard base64, with line breaks (Android) or without (iOS);
    empty slots are skipped."""
    images = body.get("images")
    if images is None:
        return []
    if not isinstance(images, list) or not all(isinstance(i, str) for i in images):
        raise ParseError(400, VALIDATION_ERROR, "images: Erwartet wird eine Liste von Texten.")
    # Android always sends four slots; more than twice the photo limit is not worth decoding.
    if len(images) > 2 * max(current_app.config["MAX_PHOTOS"], 4):
        raise ParseError(400, VALIDATION_ERROR, "images: Zu viele Bilder.")
    photos = []
    for number, text in enumerate(images, start=1):
        if not text.strip():
            continue
        try:
            data = base64.b64decode("".join(text.split()), validate=True)
        except (binascii.Error, ValueError):
            raise ParseError(
                400, VALIDATION_ERROR, f"images: Bild {number} ist kein gültiges Base64."
            ) from None
        photos.append(FileStorage(io.BytesIO(data), filename=f"app-foto-{number}.jpg"))
    return photos
