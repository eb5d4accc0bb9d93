"""What the city app reads: our active categories as its "contacts"."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.cityapp.protocol import parse_date
from app.extensions import db
from app.models import Category, Department
from app.reports.rules import ReportRefused

# The rulebook's fields in the app's words, for the one line the app's log may show.
FIELDS = {
    "category": "contactId",
    "location": "geopoint",
    "lat": "geopoint",
    "lon": "geopoint",
    "place": "address",
    "description": "message",
    "photos": "images",
    "name": "name",
    "email": "email",
    "phone": "phone",
}


def contacts() -> list[dict[str, Any]]:
    """Every active category in the order of our own form. Strings are never null (Android's
    types are not nullable) and dates are in the one form iOS decodes."""
    rows = db.session.execute(
        select(Category, Department.email)
        .join(Department, Department.id == Category.default_department_id)
        .where(Category.active)
        .order_by(Category.name_de, Category.id)
    ).all()
    return [
        {
            "objectId": category.app_id,
            "title": category.name_de,
            "position": position,
            "email": email or "",
            "emailSubject": f"Mängelmeldung: {category.name_de}",
            "createdAt": parse_date(category.created_at),
            "updatedAt": parse_date(category.updated_at),
        }
        for position, (category, email) in enumerate(rows, start=1)
    ]


def message(refused: ReportRefused) -> str:
    """The rulebook's verdict as one line: the apps show their own failure text anyway."""
    return " ".join(f"{FIELDS.get(k, k)}: {v}" for k, v in refused.errors.items())
