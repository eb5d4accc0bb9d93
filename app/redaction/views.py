"""What the staff pages ask about faces and plates: which inbox rows have photos to check, and
the label of a region."""

from __future__ import annotations

from flask import Flask
from flask_babel import gettext as _

from app.models import Report
from app.redaction import service


def photos_to_check(reports: list[Report]) -> set[int]:
    return service.waiting_in([r.id for r in reports])


def region_label(kind: str, number: int) -> str:
    names = {"face": _("Gesicht"), "plate": _("Kennzeichen")}
    return f"{names.get(kind, _('Gezeichneter Bereich'))} {number}"


def init_app(app: Flask) -> None:
    app.add_template_global(photos_to_check)
    app.add_template_global(region_label)
