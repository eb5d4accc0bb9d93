"""The one rulebook for a new report, whatever door it comes through.

A door (the web form, staff intake, Open311, the city app, partner Kommunen) hands over a Draft
of what it received, as received. `check` returns the NewReport that the service files, or
raises ReportRefused with one German message per field. Doors only translate the field names
into their own error format; no door checks a limit of its own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from app.coordinates import CoordinateError, parse_coordinate
from app.extensions import db
from app.models import Category, Channel, Report
from app.reports.answers import ANSWER, Answers, check_answers
from app.reports.characters import CONTROL, LINE_CONTROL

PHONE = re.compile(r"^[0-9+()/.\- ]{3,50}$")
# Only the characters RFC 3986 allows, so a link is a valid URI in every answer.
URL_CHARACTERS = re.compile(r"^[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+$")
CATEGORY_CODE_LENGTH = 50

# The fields of a verdict. Doors name them in their own words (Open311: lat, long, service_code).
FIELDS = (
    "category",
    "location",
    "lat",
    "lon",
    "place",
    "description",
    "photos",
    "media_url",
    "name",
    "email",
    "phone",
    "consent",
)


class ReportRefused(Exception):
    """A new report that breaks the rules: one message per field, in FIELDS order."""

    def __init__(self, errors: dict[str, str]) -> None:
        unknown = {k for k in errors if k not in FIELDS and not k.startswith(ANSWER)}
        if unknown:
            raise ValueError(f"not a field of the rulebook: {sorted(unknown)}")
        # The answers to the category's questions ("answer:CODE") follow the category.
        order = [*FIELDS[:1], *sorted(k for k in errors if k.startswith(ANSWER)), *FIELDS[1:]]
        self.errors = {name: errors[name] for name in order if name in errors}
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.errors.items()))


@dataclass
class Draft:
    """A new report as a door received it; values are checked by `check`, not before."""

    category_id: int | None = None
    category_code: str | None = None
    category_app_id: str | None = None  # the city app's objectId of a category
    description: str | None = None
    lat: str | float | None = None
    lon: str | float | None = None
    # The place in the reporter's words (an address line), kept for staff beside the point.
    place: str | None = None
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    media_url: str | None = None
    photos: Sequence[FileStorage] = ()
    # None: the door does not ask (staff take consent on the phone, apps in their own terms).
    consent: bool | None = None
    channel: Channel = Channel.WEB
    # A random key from the form: a resubmission of the same form creates no second report.
    submission_key: str | None = None
    # The language of the reporter's mails ("de" or "en").
    language: str = "de"
    # The Open311 key that files the report (that partner may post updates to it).
    api_key_id: int | None = None
    # The reporter agreed that their contact data may go to another body with the report.
    share_consent: bool = False
    # The answers to the category's extra questions by code; None: the door cannot ask them.
    answers: Mapping[str, object] | None = None


@dataclass
class NewReport:
    """A report that passed the rulebook (or synthetic data that is right by construction)."""

    category_id: int
    description: str
    lat: float
    lon: float
    reporter_name: str | None = None
    reporter_email: str | None = None
    reporter_phone: str | None = None
    media_url: str | None = None
    place_text: str | None = None
    channel: Channel = Channel.WEB
    submission_key: str | None = None
    language: str = "de"
    api_key_id: int | None = None
    share_consent: bool = False
    answers: Answers | None = None


@dataclass(frozen=True)
class Limits:
    description: int
    place: int
    name: int
    email: int
    phone: int
    media_url: int
    photos: int


def limits() -> Limits:
    """Text limits from the settings and from the columns that store them."""
    return Limits(
        description=current_app.config["DESCRIPTION_MAX_LENGTH"],
        place=_length("place_text"),
        name=_length("reporter_name"),
        email=_length("reporter_email"),
        phone=_length("reporter_phone"),
        media_url=_length("media_url"),
        photos=current_app.config["MAX_PHOTOS"],
    )


def _length(column: str) -> int:
    """The length of a report's text column: what fits is what the rulebook allows."""
    length = getattr(Report.__table__.c[column].type, "length", None)
    if not isinstance(length, int):
        raise TypeError(f"reports.{column} has no length")
    return length


def outside_city() -> ReportRefused:
    """Routing found no district: the same verdict at every door."""
    return ReportRefused(
        {
            "location": _(
                "Dieser Ort liegt außerhalb des Stadtgebiets. Bitte wählen Sie einen Ort "
                "in der Stadt."
            )
        }
    )


def check(draft: Draft) -> NewReport:
    """The NewReport of a draft that keeps every rule; ReportRefused names each broken one."""
    bounds = limits()
    errors: dict[str, str] = {}
    category_id = _category(draft, errors)
    answers = check_answers(category_id, draft.answers, errors)
    lat, lon = _location(draft, errors)
    media_url = _media_url(draft.media_url, bounds, errors)
    description = _description(draft, bounds, bool(draft.photos or media_url), errors)
    name = _line(draft.name, "name", bounds.name, errors)
    place = _line(draft.place, "place", bounds.place, errors)
    email = optional_email(draft.email, errors)
    phone = _phone(draft.phone, bounds, errors)
    if len(draft.photos) > bounds.photos:
        errors["photos"] = _("Höchstens %(n)d Fotos pro Meldung.", n=bounds.photos)
    if draft.consent is False and any(_given(v) for v in (draft.name, draft.email, draft.phone)):
        errors["consent"] = _(
            "Bitte stimmen Sie der Speicherung zu oder lassen Sie die Kontaktfelder leer."
        )
    if errors:
        raise ReportRefused(errors)
    return NewReport(
        category_id=category_id,  # type: ignore[arg-type]
        description=description,
        lat=lat,  # type: ignore[arg-type]
        lon=lon,  # type: ignore[arg-type]
        reporter_name=name,
        reporter_email=email,
        reporter_phone=phone,
        media_url=media_url,
        place_text=place,
        channel=draft.channel,
        submission_key=draft.submission_key,
        language=draft.language,
        api_key_id=draft.api_key_id,
        share_consent=draft.share_consent and any(_given(v) for v in (name, email, phone)),
        answers=answers,
    )


def _given(value: str | None) -> bool:
    return bool(value and value.strip())


def _category(draft: Draft, errors: dict[str, str]) -> int | None:
    code = (draft.category_code or draft.category_app_id or "").strip()
    if draft.category_id is None and not code:
        errors["category"] = _("Bitte eine Kategorie wählen.")
        return None
    query = select(Category.id).where(Category.active)
    if draft.category_id is not None:
        possible = 0 < draft.category_id < 2**31  # the column's range: no failed cast in SQL
        query = query.where(Category.id == draft.category_id)
    else:
        possible = len(code) <= CATEGORY_CODE_LENGTH and not CONTROL.search(code)
        by = Category.code if draft.category_code else Category.app_id
        query = query.where(by == code)
    found = db.session.scalar(query) if possible else None
    if found is None:
        errors["category"] = _("Bitte eine Kategorie aus der Liste wählen.")
    return found


def _location(draft: Draft, errors: dict[str, str]) -> tuple[float | None, float | None]:
    lat, lon = (v.strip() if isinstance(v, str) else v for v in (draft.lat, draft.lon))
    if lat in (None, "") and lon in (None, ""):
        errors["location"] = _(
            "Bitte einen Ort wählen: auf die Karte tippen oder Koordinaten eingeben."
        )
        return None, None
    return (
        _coordinate(lat, "lat", 90, _("Der Breitengrad fehlt."), errors),
        _coordinate(lon, "lon", 180, _("Der Längengrad fehlt."), errors),
    )


def _coordinate(
    raw: str | float | None, name: str, limit: float, missing: str, errors: dict[str, str]
) -> float | None:
    if raw in (None, ""):
        errors[name] = missing
        return None
    try:
        return parse_coordinate(raw, -limit, limit)
    except CoordinateError as exc:
        errors[name] = str(exc)
        return None


def _description(draft: Draft, bounds: Limits, has_photo: bool, errors: dict[str, str]) -> str:
    text = description_text(draft.description)
    if not text and not has_photo:
        errors["description"] = _("Bitte beschreiben Sie den Mangel oder fügen Sie ein Foto bei.")
    elif refusal := description_refusal(text, bounds.description):
        errors["description"] = refusal
    return text


def description_text(raw: str | None) -> str:
    # Browsers send a line break as CRLF; it counts, and is stored, as one character.
    return (raw or "").replace("\r\n", "\n").strip()


def description_refusal(text: str, limit: int) -> str | None:
    """Why a description breaks the rules (too long, control characters), or None. Also the
    rule for the text of a partner's update, which becomes public like a description."""
    if len(text) > limit:
        return _("Die Beschreibung darf höchstens %(n)d Zeichen lang sein.", n=limit)
    if CONTROL.search(text):
        return _("Der Text enthält unzulässige Steuerzeichen.")
    return None


def _line(raw: str | None, name: str, limit: int, errors: dict[str, str]) -> str | None:
    text = (raw or "").strip()
    if len(text) > limit:
        errors[name] = _("Höchstens %(n)d Zeichen.", n=limit)
    elif LINE_CONTROL.search(text):
        errors[name] = _("Der Text enthält unzulässige Steuerzeichen.")
    return text or None


def optional_email(raw: str | None, errors: dict[str, str]) -> str | None:
    """An optional address, normalised; its German reason under errors["email"]."""
    text = (raw or "").strip()
    if not text:
        return None
    try:
        return email_address(text)
    except ValueError as exc:
        errors["email"] = str(exc)
        return None


def email_address(text: str) -> str:
    """The normalised address, or ValueError with the German reason; the one e-mail rule for
    reports and for following them. email-validator also refuses line breaks and anything
    else that could smuggle mail headers."""
    limit = _length("reporter_email")
    if len(text) > limit:
        raise ValueError(_("Höchstens %(n)d Zeichen.", n=limit))
    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError:
        raise ValueError(_("Bitte eine gültige E-Mail-Adresse eingeben.")) from None


def _phone(raw: str | None, bounds: Limits, errors: dict[str, str]) -> str | None:
    text = (raw or "").strip()
    if text and (len(text) > bounds.phone or not PHONE.match(text)):
        errors["phone"] = _("Bitte eine gültige Telefonnummer eingeben.")
    return text or None


def _media_url(raw: str | None, bounds: Limits, errors: dict[str, str]) -> str | None:
    text = (raw or "").strip()
    if not text:
        return None
    try:
        parts = urlsplit(text)
        valid = (
            len(text) <= bounds.media_url
            and URL_CHARACTERS.match(text) is not None
            and parts.scheme in ("http", "https")
            and bool(parts.hostname)
        )
    except ValueError:
        valid = False
    if not valid:
        errors["media_url"] = _(
            "Bitte eine vollständige http(s)-Adresse (RFC 3986, höchstens %(n)d Zeichen).",
            n=bounds.media_url,
        )
        return None
    return text
