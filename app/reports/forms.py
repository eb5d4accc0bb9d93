"""The citizen's report form. Coordinates are plain fields: the map only fills them in.

The form only reads what was typed; app.reports.rules decides whether it is a valid report."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import request
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

from app.models import Category, CategoryQuestion, Channel
from app.reports.answers import ANSWER
from app.reports.rules import Draft, ReportRefused

SUBMISSION_KEY = re.compile(r"^[0-9a-f]{32}$")


@dataclass
class Asked:
    """One extra question as the form shows it, with what was typed and the verdict on it."""

    question: CategoryQuestion
    value: str = ""
    error: str | None = None

    @property
    def name(self) -> str:
        # Per question, not per code: without JavaScript every category's questions are shown.
        return f"frage-{self.question.id}"


@dataclass
class Tile:
    """A category as a tile: symbol, name, help line, notice, and its extra questions."""

    category: Category
    asked: list[Asked]

    @property
    def guidance(self) -> dict[str, str]:
        """The notice for the form's script (category-guide.js), as data attributes."""
        c = self.category
        if not c.notice_kind or not c.notice:
            return {}
        values = {"data-notice": c.notice, "data-notice-kind": c.notice_kind}
        return values | ({"data-notice-url": c.notice_url} if c.notice_url else {})


def category_groups(tiles: list[Tile]) -> list[tuple[str | None, list[Tile]]]:
    """The tiles by their group, in the order groups first appear; ungrouped ones last, as
    "Weitere Kategorien" (or without a heading when no category has a group)."""
    grouped = any(t.category.group_name for t in tiles)
    rest = str(_l("Weitere Kategorien")) if grouped else None
    groups: dict[str | None, list[Tile]] = {}
    for tile in tiles:
        groups.setdefault(tile.category.group_name or rest, []).append(tile)
    if rest in groups:
        groups[rest] = groups.pop(rest)
    return list(groups.items())


def _coerce_category(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None


class ReportForm(FlaskForm):
    # No validators here: the rulebook (app.reports.rules) checks every field at every door.
    category = RadioField(_l("Kategorie"), coerce=_coerce_category, validate_choice=False)
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
        sent = request.form if request and request.method == "POST" else {}
        self.tiles = [
            Tile(c, [Asked(q, str(sent.get(f"frage-{q.id}", ""))) for q in c.questions])
            for c in categories or []
        ]
        self.category.choices = [(t.category.id, t.category.name) for t in self.tiles]

    def groups(self) -> list[tuple[str | None, list[Tile]]]:
        return category_groups(self.tiles)

    def notices(self) -> list[Category]:
        """The categories with a notice, for the list the form shows without JavaScript."""
        return [t.category for t in self.tiles if t.guidance]

    def answers(self) -> dict[str, str]:
        """The answers to the chosen category's questions, by code, for the rulebook."""
        chosen = next((t for t in self.tiles if t.category.id == self.category.data), None)
        return {a.question.code: a.value for a in chosen.asked} if chosen else {}

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
            answers=self.answers(),
            channel=channel,
            submission_key=self.clean_submission_key(),
            language=language,
        )

    def show(self, refused: ReportRefused) -> None:
        """The rulebook's verdict beside the fields it names."""
        for name, message in refused.errors.items():
            if name.startswith(ANSWER):
                self._show_answer(name.removeprefix(ANSWER), message)
                continue
            # The place has no field of its own: its message stands at the first coordinate.
            target = self.lat if name == "location" else getattr(self, name, self.description)
            target.errors = [*target.errors, message]
        self._errors = None  # WTForms caches form.errors

    def _show_answer(self, code: str, message: str) -> None:
        for tile in self.tiles:
            if tile.category.id == self.category.data:
                for asked in tile.asked:
                    if asked.question.code == code:
                        asked.error = message

    @property
    def errors(self) -> dict:
        """The fields' errors and then the answers' (named by their question), for the summary."""
        found = dict(super().errors)
        for tile in self.tiles:
            found |= {a.name: [a.error] for a in tile.asked if a.error}
        return found

    def error_label(self, name: str) -> str:
        """The label of a field or a question for the error summary."""
        if name in self:
            return str(self[name].label.text)
        labels = {a.name: a.question.label for t in self.tiles for a in t.asked}
        return labels.get(name, name)

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
