"""Reading Open311 data: discovery, services, service requests (see listing) and tokens.

Every request is filed at once ("realtime" services), so POST answers with the
service_request_id and no token. For clients that call tokens/{token} anyway, a request's token
is its service_request_id.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.models import Category, CategoryQuestion, Department, Report
from app.open311 import listing
from app.open311.params import REQUEST_ID, ApiError, RequestFilter, shown

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
MIME_TYPES = ["text/xml", "application/json"]


def discovery(endpoint_url: str) -> dict[str, Any]:
    config = current_app.config
    contact = config["OPEN311_CONTACT"]
    changeset = config["OPEN311_CHANGESET"]
    return {
        "changeset": changeset,
        "contact": contact,
        "key_service": config["OPEN311_KEY_SERVICE"]
        or f"API-Schlüssel zum Einreichen von Meldungen auf Anfrage: {contact}",
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": endpoint_url,
                "changeset": changeset,
                "type": config["OPEN311_ENDPOINT_TYPE"],
                "formats": MIME_TYPES,
            }
        ],
    }


def services() -> list[dict[str, Any]]:
    """Every active category as a service; the group is the department that handles it.
    `metadata` is true where the category has extra questions (see service_definition)."""
    asks = select(CategoryQuestion.id).where(CategoryQuestion.category_id == Category.id)
    rows = db.session.execute(
        select(Category.code, Category.name_de, Category.name_en, Department.name, asks.exists())
        .join(Department, Department.id == Category.default_department_id)
        .where(Category.active)
        .order_by(Category.name_de)
    )
    return [
        {
            "service_code": code,
            "service_name": name,
            "description": None,
            "metadata": metadata,
            "type": "realtime",
            # The English name as a synonym helps clients search.
            "keywords": name_en,
            "group": department,
        }
        for code, name, name_en, department, metadata in rows
    ]


# Our question kinds in the spec's datatypes.
DATATYPES = {"text": "string", "number": "number", "choice": "singlevaluelist"}


def service_definition(code: str) -> dict[str, Any]:
    """The category's extra questions as attributes, sent back as attribute[code]=value."""
    category = active_category(code)
    if category is None:
        raise ApiError(404, [f"service_code: Unbekannter Code {shown(code)}."])
    return {
        "service_code": code,
        "attributes": [_attribute(q, n) for n, q in enumerate(category.questions, start=1)],
    }


def _attribute(question: CategoryQuestion, order: int) -> dict[str, Any]:
    attribute: dict[str, Any] = {
        "variable": True,
        "code": question.code,
        "datatype": DATATYPES[question.kind],
        "required": question.required,
        "datatype_description": question.hint,
        "order": order,
        "description": question.label,
    }
    if question.kind == "choice":
        attribute["values"] = [{"key": c, "name": c} for c in question.choices]
    return attribute


def category_ids() -> dict[str, int]:
    """All category codes, inactive ones included: their old reports can still be asked for."""
    return dict(db.session.execute(select(Category.code, Category.id)).all())


def active_category(code: str) -> Category | None:
    # PostgreSQL refuses NUL in text; such a code cannot exist anyway.
    if len(code) > 50 or "\x00" in code:
        return None
    return db.session.scalar(select(Category).where(Category.code == code, Category.active))


def find_requests(found: RequestFilter, codes: dict[str, int]) -> str:
    """The JSON text of one page of service requests (see listing)."""
    return listing.requests_json(found, codes)


def find_request(request_id: str, extensions: bool) -> str:
    found = RequestFilter(ids=[request_id], extensions=extensions)
    result = find_requests(found, {}) if REQUEST_ID.match(request_id) else "[]"
    if result == "[]":
        raise ApiError(404, [f"service_request_id: Unbekannte Meldung {shown(request_id)}."])
    return result


def find_token(token: str) -> list[dict[str, Any]]:
    exists = REQUEST_ID.match(token) and db.session.scalar(
        select(Report.id).where(Report.case_number == token)
    )
    if not exists:
        raise ApiError(404, [f"token: Unbekanntes Token {shown(token)}."])
    return [{"service_request_id": token, "token": token}]
