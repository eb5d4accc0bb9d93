"""Helpers for the Open311 tests (no tests here): every JSON answer is validated against the
project's JSON Schemas, every XML answer is parsed, and the two formats must carry the same data.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012
from sqlalchemy import select
from werkzeug.test import TestResponse

from app.extensions import db
from app.models import Category, EventKind, Photo, Report, Status, TimelineEvent
from app.open311.filing import create_api_key
from app.reports.service import NewReport, file_report
from tests.factories import MITTE

BASE = "/open311/v2"
SCHEMA_DIR = Path(__file__).resolve().parents[1] / "data" / "open311-schema"
JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"
W3C = "%Y-%m-%dT%H:%M:%SZ"
# Lists in the XML documents, by container element (the Spark convention makes them arrays).
LISTS = {
    "service_requests",
    "services",
    "errors",
    "endpoints",
    "formats",
    "attributes",
    "values",
    "media_urls",
}

# The schema folder has no schemas for these answers; these follow the spec's field tables.
ERRORS_SCHEMA = {
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "required": ["code", "description"],
        "properties": {"code": {"type": "integer"}, "description": {"type": "string"}},
        "additionalProperties": False,
    },
}
DISCOVERY_SCHEMA = {
    "type": "object",
    "required": ["changeset", "contact", "key_service", "endpoints"],
    "properties": {
        "changeset": {"type": "string"},
        "contact": {"type": "string"},
        "key_service": {"type": "string"},
        "endpoints": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["specification", "url", "changeset", "type", "formats"],
                "properties": {
                    "specification": {"const": "http://wiki.open311.org/GeoReport_v2"},
                    "url": {"type": "string", "format": "uri"},
                    "type": {"enum": ["production", "test"]},
                    "formats": {"type": "array", "items": {"type": "string"}},
                },
            },
        },
    },
}
POSTED_SCHEMA = {
    "type": "array",
    "minItems": 1,
    "maxItems": 1,
    "items": {
        "type": "object",
        "required": ["service_request_id"],
        "properties": {
            "service_request_id": {"type": "string"},
            "service_notice": {"type": ["string", "null"]},
            "account_id": {"type": "null"},
        },
        "additionalProperties": False,
    },
}
TOKEN_SCHEMA = {
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "required": ["service_request_id", "token"],
        "properties": {"service_request_id": {"type": "string"}, "token": {"type": "string"}},
        "additionalProperties": False,
    },
}
# What extensions=true adds to each request.
EXTENDED_SCHEMA = {
    "type": "object",
    "required": [
        "district",
        "district_code",
        "detailed_status",
        "detailed_status_label",
        "status_notes",
        "media_urls",
    ],
    "properties": {
        "district": {"type": "string"},
        "district_code": {"type": "string"},
        "detailed_status": {"enum": [s.value for s in Status]},
        "detailed_status_label": {"type": "string"},
        "status_notes": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["datetime", "status", "description"],
                "properties": {
                    "datetime": {"type": "string", "format": "date-time"},
                    "status": {"type": ["string", "null"]},
                    "description": {"type": "string"},
                },
                "additionalProperties": False,
            },
        },
        "media_urls": {"type": "array", "items": {"type": "string", "format": "uri"}},
    },
    "additionalProperties": False,
}


@cache
def _registry() -> Registry:
    resources = [
        (path.name, DRAFT202012.create_resource(json.loads(path.read_text())))
        for path in SCHEMA_DIR.glob("*.json")
    ]
    return Registry().with_resources(resources)


def validate(data: Any, schema: str | dict) -> None:
    """Validate against a schema file of data/open311-schema (by name) or an inline schema;
    requests.json refers to request.json, which the registry resolves."""
    contents = json.loads((SCHEMA_DIR / schema).read_text()) if isinstance(schema, str) else schema
    validator = Draft202012Validator(
        contents, registry=_registry(), format_checker=Draft202012Validator.FORMAT_CHECKER
    )
    validator.validate(data)


def get_json(
    client: FlaskClient, path: str, schema: str | dict, status: int = 200, **kw: Any
) -> Any:
    response = client.get(f"{BASE}/{path}", **kw)
    return check_json(response, schema, status)


def check_json(response: TestResponse, schema: str | dict, status: int = 200) -> Any:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == JSON_TYPE
    data = json.loads(response.get_data(as_text=True))
    validate(data, schema if status < 400 else ERRORS_SCHEMA)
    if status < 400 and schema == "requests.json":
        for item in data:
            if "extended_attributes" in item:
                validate(item["extended_attributes"], EXTENDED_SCHEMA)
    return data


def get_xml(client: FlaskClient, path: str, root: str, status: int = 200, **kw: Any) -> Any:
    response = client.get(f"{BASE}/{path}", **kw)
    return check_xml(response, root, status)


def check_xml(response: TestResponse, root: str, status: int = 200) -> ET.Element:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == XML_TYPE
    body = response.get_data(as_text=True)
    assert body.startswith('<?xml version="1.0" encoding="utf-8"?>')
    element = ET.fromstring(response.get_data())
    assert element.tag == (root if status < 400 else "errors")
    if status >= 400:
        for error in element:
            assert error.tag == "error"
            assert error.findtext("code") == str(status)
            assert error.findtext("description")
    return element


def spark(element: ET.Element) -> Any:
    """The JSON that the Spark convention makes of an XML element (values stay strings)."""
    children = list(element)
    # status_notes is a text in a request and the timeline list in extended_attributes.
    if element.tag in LISTS or (element.tag == "status_notes" and children):
        return [spark(child) for child in children] or None
    if not children:
        return element.text
    return {child.tag: spark(child) for child in children}


def as_strings(data: Any) -> Any:
    """JSON data with every scalar written as XML writes it, and empty lists as absent."""
    if isinstance(data, dict):
        return {key: as_strings(value) for key, value in data.items()}
    if isinstance(data, list):
        return [as_strings(item) for item in data] or None
    if isinstance(data, bool):
        return "true" if data else "false"
    return None if data is None else str(data)


def both_formats(client: FlaskClient, path: str, schema: str | dict, root: str, **kw: Any) -> Any:
    """The JSON answer, after checking that the XML answer carries exactly the same data."""
    data = get_json(client, f"{path.replace('{fmt}', 'json')}", schema, **kw)
    xml = get_xml(client, f"{path.replace('{fmt}', 'xml')}", root, **kw)
    assert spark(xml) == as_strings(data)
    return data


def errors_in_both(
    client: FlaskClient, path: str, status: int, method: str = "get", **kw: Any
) -> list[str]:
    """The error descriptions, the same in JSON and XML."""
    call = getattr(client, method)
    data = check_json(call(f"{BASE}/{path.replace('{fmt}', 'json')}", **kw), ERRORS_SCHEMA, status)
    xml = check_xml(call(f"{BASE}/{path.replace('{fmt}', 'xml')}", **kw), "errors", status)
    descriptions = [e["description"] for e in data]
    assert [e.findtext("description") for e in xml] == descriptions
    return descriptions


def w3c(value: datetime) -> str:
    return value.astimezone(UTC).strftime(W3C)


def new_key(name: str = "Test-App") -> str:
    key = create_api_key(name)[1]
    # Committed (a savepoint inside the test's transaction), so that an error answer, which
    # rolls back the request's changes, cannot take the test's own data with it.
    db.session.commit()
    return key


def category_code_id(code: str = "licht") -> int:
    return db.session.scalar(select(Category.id).where(Category.code == code))


def make_report(
    code: str = "licht",
    at: tuple[float, float] = MITTE,
    status: Status = Status.RECEIVED,
    age: timedelta = timedelta(0),
    published: bool = True,
    description: str = "Laterne dunkel.",
    **reporter: str,
) -> Report:
    """A report filed like one from the form, then moved in time and status."""
    report = file_report(
        NewReport(
            category_id=category_code_id(code),
            description=description,
            lat=at[0],
            lon=at[1],
            **reporter,  # type: ignore[arg-type]
        ),
        [],
    ).report
    db.session.refresh(report)
    report.created_at = report.created_at - age
    for event in report.events:
        event.created_at = report.created_at
    report.updated_at = report.created_at
    report.published_at = report.created_at if published else None
    if status != Status.RECEIVED:
        set_status(report, status, report.created_at + timedelta(hours=1))
    db.session.commit()
    return report


def set_status(report: Report, status: Status, when: datetime, note: str | None = None) -> None:
    report.status = status
    report.updated_at = when
    report.closed_at = None if status.is_open else when
    db.session.add(
        TimelineEvent(
            report=report,
            kind=EventKind.STATUS_CHANGE,
            status=status,
            note=note,
            public=True,
            author="Sachbearbeitung",
            created_at=when,
        )
    )
    db.session.commit()


def add_stored_photo(report: Report, name: str, hidden: bool = False) -> Photo:
    photo = Photo(
        report=report,
        filename=f"{name}.jpg",
        thumbnail=f"{name}-t.jpg",
        width=640,
        height=480,
        hidden=hidden,
    )
    db.session.add(photo)
    db.session.commit()
    return photo
