"""Response templates (Textbausteine): which fit a report, filled in for it; and the admin's
changes to them. Nothing here commits."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select

from app.extensions import db
from app.models import Report, ResponseTemplate
from app.models.response_template import PLACEHOLDERS


@dataclass
class Offered:
    id: int
    title: str
    status: str | None
    text: str  # filled in for the report


def fill(text: str, report: Report) -> str:
    """The placeholders replaced by the report's own values; other braces stay as they are
    (a template is plain text, never a format string)."""
    values = {
        "vorgangsnummer": report.case_number,
        "ort": report.address or report.district.name,
        "kategorie": report.category.name,
    }
    for name in PLACEHOLDERS:
        text = text.replace("{" + name + "}", values[name])
    return text


def offered(report: Report) -> list[Offered]:
    """The templates for the report's category or for every category, by title."""
    found = db.session.scalars(
        select(ResponseTemplate)
        .where(
            or_(
                ResponseTemplate.category_id.is_(None),
                ResponseTemplate.category_id == report.category_id,
            )
        )
        .order_by(ResponseTemplate.title, ResponseTemplate.id)
    )
    return [Offered(t.id, t.title, t.status, fill(t.text, report)) for t in found]


def all_templates() -> list[ResponseTemplate]:
    return list(
        db.session.scalars(
            select(ResponseTemplate).order_by(ResponseTemplate.title, ResponseTemplate.id)
        )
    )


def add_template(title: str, text: str, category_id: int | None, status: str | None) -> None:
    db.session.add(ResponseTemplate(title=title, text=text, category_id=category_id, status=status))
    db.session.flush()


def remove_template(template_id: int) -> bool:
    found = db.session.get(ResponseTemplate, template_id) if 0 < template_id < 2**31 else None
    if found is None:
        return False
    db.session.delete(found)
    db.session.flush()
    return True
