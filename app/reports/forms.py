"""The citizen's report form. Coordinates are plain fields: the map only fills them in.

The form only reads what was typed; app.reports.rules decides whether it is a valid report."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import FileStorage
from wtforms import (
    BooleanField,
    HiddenField,
    MultipleFileField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired

from app.models import Category, Channel
from app.reports.rules import Draft, ReportRefused

SUBMISSION_KEY = re.compile(r"^[0-9a-f]{32}$")


def category_choices(categories: list[Category]) -> dict[str | None, list]:
    """The categories by their group (an <optgroup> each, in the order groups first appear;
    None: no group), each option carrying its help line and notice for the form's script;
    ungrouped ones last, as "Weitere Kategorien"."""
    groups: dict[str | None, list] = {None: [("", _l("– bitte wählen –"))]}
    grouped = any(c.group_name for c in categories)
    for category in categories:
        name = category.group_name or (str(_l("Weitere Kategorien")) if grouped else None)
        groups.setdefault(name, []).append((category.id, category.name, _guidance(category)))
    rest = str(_l("Weitere Kategorien"))
    if rest in groups:
        groups[rest] = groups.pop(rest)
    return groups


def _guidance(category: Category) -> dict[str, str]:
    values = {
        "data-help": category.help_text,
        "data-notice": category.notice if category.notice_kind else None,
        "data-notice-kind": category.notice_kind,
        "data-notice-url": category.notice_url if category.notice_kind else None,
    }
    return {k: v for k, v in values.items() if v}


def _coerce_category(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None


class ReportForm(FlaskForm):
    # No validators here: the rulebook (app.reports.rules) checks every field at every door.
    category = SelectField(_l("Kategorie"), coerce=_coerce_category, validate_choice=False)
    description = TextAreaField(_l("Beschreibung"))
    lat = StringField(_l("Breitengrad"))
    lon = StringField(_l("Längengrad"))
    # The address search without JavaScript (app.reports.place_search): what was typed, and the
    # place chosen among the answers as "lat,lon". Neither is part of the report.
    address = StringField(_l("Adresse oder Ort suchen"))
    address_choice = RadioField(_l("Gefundene Orte"), choices=[], validate_choice=False)
    photos = MultipleFileField(_l("Fotos"))
    name = StringField(_l("Name (freiwillig)"))
    email = StringField(_l("E-Mail (freiwillig, für Rückmeldungen)"))
    phone = StringField(_l("Telefon (freiwillig)"))
    consent = BooleanField(
        _l("Ich bin einverstanden, dass meine Kontaktdaten zur Bearbeitung gespeichert werden.")
    )
    # Off unless ticked: without it another body gets only what the public sees (rulebook).
    share_consent = BooleanField(
        _l(
            "Meine Kontaktdaten dürfen mit der Meldung an eine andere zuständige Stelle "
            "(z. B. Nachbarkommune, Straßen.NRW) weitergegeben werden, wenn die Stadt nicht "
            "zuständig ist."
        )
    )
    submission_key = HiddenField()

    def __init__(self, *args: object, categories: list | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.category.choices = category_choices(categories or [])

    def notices(self) -> list[dict[str, str]]:
        """The categories' notices, for the list the form shows without JavaScript."""
        found = []
        for options in (self.category.choices or {}).values():
            for option in options:
                if len(option) == 3 and "data-notice" in option[2]:
                    guide = option[2]
                    found.append(
                        {
                            "name": str(option[1]),
                            "notice_kind": guide.get("data-notice-kind", "info"),
                            "notice": guide["data-notice"],
                            "notice_url": guide.get("data-notice-url", ""),
                        }
                    )
        return found

    def clean_submission_key(self) -> str | None:
        key = (self.submission_key.data or "").strip()
        return key if SUBMISSION_KEY.match(key) else None

    channel = None  # only staff intake asks how a report came in

    def draft(self, channel: Channel, language: str) -> Draft:
        """The report as typed, for the rulebook (the citizen's form, or staff intake)."""
        return Draft(
            category_id=self.category.data,
            description=self.description.data,
            lat=self.lat.data,
            lon=self.lon.data,
            name=self.name.data,
            email=self.email.data,
            phone=self.phone.data,
            photos=self.uploads,
            consent=bool(self.consent.data),
            share_consent=bool(self.share_consent.data),
            channel=channel,
            submission_key=self.clean_submission_key(),
            language=language,
        )

    def show(self, refused: ReportRefused) -> None:
        """The rulebook's verdict beside the fields it names."""
        for name, message in refused.errors.items():
            # The place has no field of its own: its message stands at the first coordinate.
            target = self.lat if name == "location" else getattr(self, name, self.description)
            target.errors = [*target.errors, message]
        self._errors = None  # WTForms caches form.errors

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
