"""The citizen's report form. Coordinates are plain fields: the map only fills them in."""

from __future__ import annotations

import math
import re

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import FileStorage
from wtforms import (
    BooleanField,
    HiddenField,
    MultipleFileField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp, ValidationError

from app.models import Channel
from app.reports.service import NewReport

SUBMISSION_KEY = re.compile(r"^[0-9a-f]{32}$")
# Control characters (NUL, escape sequences …) have no place in a report; newlines and tabs do.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def no_control_characters(form: FlaskForm, field: StringField) -> None:
    if field.data and CONTROL.search(field.data):
        raise ValidationError(_l("Der Text enthält unzulässige Steuerzeichen."))


def email_checks() -> list:
    """Length and form of an address; email-validator also refuses line breaks and other
    characters that could smuggle mail headers."""
    return [
        Length(max=254, message=_l("Höchstens 254 Zeichen.")),
        Email(
            message=_l("Bitte eine gültige E-Mail-Adresse eingeben."), check_deliverability=False
        ),
    ]


PHONE = re.compile(r"^[0-9+()/.\- ]{3,50}$")


def _coerce_category(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None


def parse_coordinate(raw: str | None, low: float, high: float) -> float:
    """A finite decimal number within [low, high]; accepts a German decimal comma."""
    text = (raw or "").strip().replace(",", ".")
    if not text:
        raise ValidationError(
            _l("Bitte einen Ort wählen: auf die Karte tippen oder Koordinaten eingeben.")
        )
    try:
        value = float(text)
    except ValueError:
        raise ValidationError(_l("Bitte eine Zahl eingeben, zum Beispiel 51,1657.")) from None
    if not math.isfinite(value):
        raise ValidationError(_l("Bitte eine endliche Zahl eingeben."))
    if not low <= value <= high:
        raise ValidationError(
            _l("Der Wert muss zwischen %(low)s und %(high)s liegen.", low=low, high=high)
        )
    return value


class ReportForm(FlaskForm):
    category = SelectField(
        _l("Kategorie"),
        coerce=_coerce_category,
        validators=[DataRequired(message=_l("Bitte eine Kategorie wählen."))],
        validate_choice=False,
    )
    description = TextAreaField(
        _l("Beschreibung"),
        validators=[
            DataRequired(message=_l("Bitte beschreiben Sie den Mangel.")),
            no_control_characters,
        ],
        # Browsers count a line break as one character but send two (CRLF).
        filters=[lambda text: text.replace("\r\n", "\n") if isinstance(text, str) else text],
    )
    lat = StringField(_l("Breitengrad"))
    lon = StringField(_l("Längengrad"))
    photos = MultipleFileField(_l("Fotos"))
    name = StringField(
        _l("Name (freiwillig)"),
        validators=[
            Optional(),
            Length(max=200, message=_l("Höchstens 200 Zeichen.")),
            no_control_characters,
        ],
    )
    email = StringField(
        _l("E-Mail (freiwillig, für Rückmeldungen)"),
        validators=[Optional(), *email_checks()],
    )
    phone = StringField(
        _l("Telefon (freiwillig)"),
        validators=[
            Optional(),
            Regexp(PHONE, message=_l("Bitte eine gültige Telefonnummer eingeben.")),
        ],
    )
    consent = BooleanField(
        _l("Ich bin einverstanden, dass meine Kontaktdaten zur Bearbeitung gespeichert werden.")
    )
    submission_key = HiddenField()

    def __init__(self, *args: object, categories: list | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.category.choices = [("", _l("– bitte wählen –"))] + [
            (c.id, c.name) for c in categories or []
        ]
        self.category_ids = {c.id for c in categories or []}
        self.latitude: float | None = None
        self.longitude: float | None = None

    def validate_description(self, field: TextAreaField) -> None:
        limit = current_app.config["DESCRIPTION_MAX_LENGTH"]
        if field.data and len(field.data) > limit:
            raise ValidationError(
                _l("Die Beschreibung darf höchstens %(n)d Zeichen lang sein.", n=limit)
            )

    def validate_category(self, field: SelectField) -> None:
        if field.data not in self.category_ids:
            raise ValidationError(_l("Bitte eine Kategorie aus der Liste wählen."))

    def validate_lat(self, field: StringField) -> None:
        self.latitude = parse_coordinate(field.data, -90, 90)

    def validate_lon(self, field: StringField) -> None:
        self.longitude = parse_coordinate(field.data, -180, 180)

    def validate_consent(self, field: BooleanField) -> None:
        gave_contact = any((f.data or "").strip() for f in (self.name, self.email, self.phone))
        if gave_contact and not field.data:
            raise ValidationError(
                _l("Bitte stimmen Sie der Speicherung zu oder lassen Sie die Kontaktfelder leer.")
            )

    def clean_submission_key(self) -> str | None:
        key = (self.submission_key.data or "").strip()
        return key if SUBMISSION_KEY.match(key) else None

    channel = None  # only staff intake asks how a report came in

    def new_report(self, channel: Channel, language: str) -> NewReport:
        """The service's input from this valid form (the citizen's, or staff intake)."""
        return NewReport(
            category_id=self.category.data,
            description=self.description.data.strip(),
            lat=self.latitude,  # type: ignore[arg-type]
            lon=self.longitude,  # type: ignore[arg-type]
            reporter_name=(self.name.data or "").strip() or None,
            reporter_email=(self.email.data or "").strip() or None,
            reporter_phone=(self.phone.data or "").strip() or None,
            channel=channel,
            submission_key=self.clean_submission_key(),
            language=language,
        )

    @property
    def uploads(self) -> list[FileStorage]:
        # A hostile client may send "photos" as plain text fields; only real files count.
        return [f for f in self.photos.data or [] if isinstance(f, FileStorage) and f.filename]


class IntakeForm(ReportForm):
    """A report that reached the town hall by phone, letter or email, entered by staff."""

    channel = SelectField(
        _l("Eingang über"),
        choices=[("phone", _l("Telefon")), ("letter", _l("Brief")), ("email", _l("E-Mail"))],
        validators=[DataRequired(message=_l("Bitte den Eingangsweg wählen."))],
    )
