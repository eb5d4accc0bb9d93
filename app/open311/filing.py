"""Filing reports through Open311 (POST requests) and the API keys that allow it.

A report from the API takes the same path as one from the web form (the rulebook, then routing,
insert, photos, first timeline event), with intake channel "api". Nothing here commits.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from flask import current_app
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage, MultiDict

from app.addresses.search import MAX_QUERY, exact
from app.extensions import db
from app.models import ApiKey, Channel
from app.open311.params import ApiError, optional
from app.reports.answers import ANSWER
from app.reports.rules import LINE_CONTROL
from app.reports.service import Draft, FiledReport, ReportRefused, submit

NO_SUCH_ADDRESS = (
    "address_string: Keine passende Adresse im Stadtgebiet gefunden; bitte die Adresse mit "
    "Hausnummer angeben (z. B. „Kölner Straße 5“) oder lat und long (WGS84) senden."
)
ADDRESS_ID = "address_id: Wird nicht unterstützt; bitte address_string oder lat und long senden."


def key_hash(key: str) -> str:
    # The keys are long random strings, so a plain SHA-256 cannot be reversed by guessing.
    return hashlib.sha256(key.encode()).hexdigest()


class KeyNameTaken(ValueError):
    """Another active key has this name."""


def create_api_key(name: str, can_update: bool = False) -> tuple[ApiKey, str]:
    """A new key; the plain key is returned once and only its hash is stored. `can_update`:
    the key may also post updates to the reports it files.

    One active key per name (case aside): the list stays unambiguous, and a reloaded admin page
    (the browser sends the form again) cannot create a second, forgotten key."""
    taken = select(ApiKey.id).where(ApiKey.active, func.lower(ApiKey.name) == func.lower(name))
    if db.session.scalar(taken):
        raise KeyNameTaken(
            f"Für „{name}“ gibt es schon einen aktiven Schlüssel. Ein neuer braucht einen anderen "
            "Namen – oder sperren Sie zuerst den alten."
        )
    key = secrets.token_urlsafe(32)
    api_key = ApiKey(name=name, key_hash=key_hash(key), active=True, can_update=can_update)
    db.session.add(api_key)
    db.session.flush()
    return api_key, key


def active_key(key: str | None) -> ApiKey | None:
    """The active ApiKey of a plain key, None for a missing, unknown or revoked one."""
    if key is None or len(key) > 200:
        return None
    return db.session.scalar(select(ApiKey).where(ApiKey.key_hash == key_hash(key), ApiKey.active))


def check_api_key(key: str | None) -> ApiKey:
    """The active ApiKey; ApiError(403) without one."""
    found = active_key(key)
    if found is None:
        message = "api_key: Fehlt oder ist ungültig; ohne gültigen Schlüssel keine Meldung."
        raise ApiError(403, [message])
    return found


# The rulebook's fields in Open311's words.
PARAMETERS = {
    "category": "service_code",
    "location": "lat",
    "lat": "lat",
    "lon": "long",
    "place": "address_string",
    "description": "description",
    "photos": "media",
    "media_url": "media_url",
    # One name, as the city stores it: the limit applies to both together.
    "name": "first_name/last_name",
    "email": "email",
    "phone": "phone",
    # Open311 clients obtain consent in their own terms; the door never sends consent=False.
    "consent": "email",
}


def draft(values: MultiDict, uploads: list[FileStorage], api_key: ApiKey) -> Draft:
    """POST requests' parameters as the rulebook's draft; device_id and account_id are not kept.
    first_name and last_name are one name, as the city stores it."""
    lat: str | float | None = optional(values, "lat")
    lon: str | float | None = optional(values, "long")
    address = optional(values, "address_string")
    if lat is None and lon is None:
        lat, lon = _geocoded(address, optional(values, "address_id"))
    names = (optional(values, "first_name"), optional(values, "last_name"))
    return Draft(
        category_code=optional(values, "service_code"),
        description=optional(values, "description"),
        lat=lat,
        lon=lon,
        place=address,
        name=" ".join(n for n in names if n) or None,
        email=optional(values, "email"),
        phone=optional(values, "phone"),
        media_url=optional(values, "media_url"),
        photos=uploads,
        channel=Channel.API,
        api_key_id=api_key.id,
        submission_key=_external_key(values, api_key),
        answers=_answers(values),
    )


def _geocoded(address: str | None, address_id: str | None) -> tuple[float | None, float | None]:
    """The point of an address_string sent without lat/long (the spec allows either)."""
    if not address:
        if address_id:
            raise ApiError(400, [ADDRESS_ID])
        return None, None  # the rulebook names the missing place
    if len(address) > MAX_QUERY or LINE_CONTROL.search(address):
        raise ApiError(400, [NO_SUCH_ADDRESS])
    found = exact(address)
    if found is None:
        raise ApiError(400, [NO_SUCH_ADDRESS])
    return found.lat, found.lon


def _external_key(values: MultiDict, api_key: ApiKey) -> str | None:
    """The partner's own id of the report (attribute[external_id]; another Mängelmelder sends
    its case number): the same id from the same key again is the same report, so a partner's
    retry after a lost answer gets the first report's id back instead of a second report."""
    external = optional(values, "attribute[external_id]")
    if external is None:
        return None
    if len(external) > 100 or LINE_CONTROL.search(external):
        raise ApiError(
            400, ["attribute[external_id]: Höchstens 100 Zeichen, eine Zeile ohne Steuerzeichen."]
        )
    return f"open311:{api_key.id}:{external}"


def file_request(values: MultiDict, uploads: list[FileStorage], api_key: ApiKey) -> FiledReport:
    """Files the report, or raises ApiError with the rulebook's verdict: 404 when the only
    fault is an unknown service code (the spec's answer), else 400."""
    given = draft(values, uploads, api_key)
    try:
        return submit(given)
    except ReportRefused as refused:
        unknown_code = set(refused.errors) == {"category"} and given.category_code is not None
        messages = [f"{_parameter(name)}: {text}" for name, text in refused.errors.items()]
        raise ApiError(404 if unknown_code else 400, messages) from None


def _parameter(field: str) -> str:
    """A rulebook field in Open311's words; a question's answer is its attribute[code]."""
    if field.startswith(ANSWER):
        return f"attribute[{field.removeprefix(ANSWER)}]"
    return PARAMETERS[field]


def _answers(values: MultiDict) -> dict[str, object]:
    """attribute[code]=value pairs by code; the rulebook ignores codes the category lacks."""
    found: dict[str, object] = {}
    for key in values:
        if key.startswith("attribute[") and key.endswith("]"):
            found[key[len("attribute[") : -1]] = values.get(key)
    return found


def filed_answer(filed: FiledReport) -> list[dict[str, Any]]:
    """The spec's answer to POST: never the reporter's account_id, which is personal data."""
    report = filed.report
    responsible = filed.responsible
    if responsible is None:  # a partner's retry: the report filed the first time
        responsible = (report.body or report.department).name
    notice = f"Vielen Dank. Die Meldung {report.case_number} ist eingegangen; "
    if report.body_id is not None:
        notice += f"zuständig ist nicht die Stadt, sie wird an {responsible} weitergeleitet."
    else:
        notice += f"zuständig ist {responsible}."
    if current_app.config["PUBLISHING"] != "immediate":
        notice += " Beschreibung und Fotos werden nach einer Prüfung veröffentlicht."
    return [
        {"service_request_id": report.case_number, "service_notice": notice, "account_id": None}
    ]
