"""Filing reports through Open311 (POST requests) and the API keys that allow it.

A report from the API takes the same path as one from the web form (file_report: routing,
insert, photos, first timeline event), with intake channel "api". Nothing here commits.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from flask import current_app
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from app.extensions import db
from app.media.images import PhotoError
from app.media.uploads import process_uploads
from app.models import ApiKey, Channel, Report
from app.open311.params import ApiError, Submission, shown
from app.open311.service import active_category
from app.reports.service import NewReport, OutsideCity, file_report


def key_hash(key: str) -> str:
    # The keys are long random strings, so a plain SHA-256 cannot be reversed by guessing.
    return hashlib.sha256(key.encode()).hexdigest()


class KeyNameTaken(ValueError):
    """Another active key has this name."""


def create_api_key(name: str) -> tuple[ApiKey, str]:
    """A new key; the plain key is returned once and only its hash is stored.

    One active key per name (case aside): the list stays unambiguous, and a reloaded admin page
    (the browser sends the form again) cannot create a second, forgotten key."""
    taken = select(ApiKey.id).where(ApiKey.active, func.lower(ApiKey.name) == func.lower(name))
    if db.session.scalar(taken):
        raise KeyNameTaken(
            f"Für „{name}“ gibt es schon einen aktiven Schlüssel. Ein neuer braucht einen anderen "
            "Namen – oder sperren Sie zuerst den alten."
        )
    key = secrets.token_urlsafe(32)
    api_key = ApiKey(name=name, key_hash=key_hash(key), active=True)
    db.session.add(api_key)
    db.session.flush()
    return api_key, key


def check_api_key(key: str | None) -> None:
    """Raises ApiError(403) unless the key belongs to an active ApiKey."""
    found = (
        key is not None
        and len(key) <= 200
        and db.session.scalar(
            select(ApiKey.id).where(ApiKey.key_hash == key_hash(key), ApiKey.active)
        )
    )
    if not found:
        message = "api_key: Fehlt oder ist ungültig; ohne gültigen Schlüssel keine Meldung."
        raise ApiError(403, [message])


def file_request(submission: Submission, uploads: list[FileStorage]) -> Report:
    """Files the report or raises ApiError: 404 for an unknown service, 400 for a bad photo
    or a place outside the city."""
    category = active_category(submission.service_code)
    if category is None:
        raise ApiError(404, [f"service_code: Unbekannter Code {shown(submission.service_code)}."])
    try:
        photos = process_uploads(uploads)
    except PhotoError as exc:
        raise ApiError(400, [f"media: {exc}"]) from None
    new = NewReport(
        category_id=category.id,
        description=submission.description,
        lat=submission.lat,
        lon=submission.lon,
        reporter_name=submission.reporter_name,
        reporter_email=submission.reporter_email,
        reporter_phone=submission.reporter_phone,
        channel=Channel.API,
    )
    try:
        report = file_report(new, photos).report
    except OutsideCity:
        raise ApiError(400, ["lat: Dieser Ort liegt außerhalb des Stadtgebiets."]) from None
    report.media_url = submission.media_url
    db.session.flush()
    return report


def filed_answer(report: Report) -> list[dict[str, Any]]:
    """The spec's answer to POST: never the reporter's account_id, which is personal data."""
    notice = f"Vielen Dank. Die Meldung {report.case_number} ist eingegangen; zuständig ist "
    notice += f"{report.department.name}."
    if current_app.config["PUBLISHING"] != "immediate":
        notice += " Beschreibung und Fotos werden nach einer Prüfung veröffentlicht."
    return [
        {"service_request_id": report.case_number, "service_notice": notice, "account_id": None}
    ]
