"""Hostile and absurd input: Open311 answers 200, 400, 403 or 404 in the spec's format, never
a server error, and stores nothing it should not."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from werkzeug.test import TestResponse

from tests.fixtures.open311 import (
    BASE,
    ERRORS_SCHEMA,
    POSTED_SCHEMA,
    UPDATE_POSTED_SCHEMA,
    UPDATES_SCHEMA,
    check_json,
    check_xml,
    new_key,
)
from tests.fixtures.open311 import validate as validate_schema
from tests.helpers import counts

HOSTILE = [
    " ",
    "\x00",
    "%00",
    "'; DROP TABLE reports; --",
    "<script>alert(1)</script>",
    "]]><!--",
    "9" * 400,
    "1e309",
    "-1e309",
    "NaN",
    "-Infinity",
    "-0",
    "0x1A",
    "１２",
    "😀",
    "a,b,,c,",
    ",,,,",
    "../../etc/passwd",
    "x" * 10_000,
    "2026-13-45T99:99:99Z",
    "9999-12-31T23:59:59-23:59",
    "0001-01-01T00:00:00+14:00",
    "true\ntrue",
]
GET_PARAMETERS = [
    "service_request_id",
    "service_code",
    "start_date",
    "end_date",
    "status",
    "updated_after",
    "updated_before",
    "bbox",
    "lat",
    "radius",
    "page",
    "page_size",
    "extensions",
    "jurisdiction_id",
]
POST_FIELDS = [
    "service_code",
    "lat",
    "long",
    "address_string",
    "email",
    "first_name",
    "last_name",
    "phone",
    "description",
    "media_url",
    "device_id",
    "account_id",
    "attribute[x]",
    "jurisdiction_id",
]


def check_answer(response: TestResponse) -> None:
    assert response.status_code in (200, 400, 403, 404), response.get_data(as_text=True)[:300]
    if response.mimetype == "application/json":
        data = response.get_json()
        if response.status_code >= 400:
            validate_schema(data, ERRORS_SCHEMA)
        else:
            validate_schema(data, "requests.json")
    else:
        check_xml(response, "service_requests", response.status_code)


@pytest.mark.parametrize("name", GET_PARAMETERS)
def test_get_requests_survives_any_value(client, name):
    for value in HOSTILE:
        for fmt in ("json", "xml"):
            check_answer(client.get(f"{BASE}/requests.{fmt}?{name}={quote(value)}"))
    # Combined with a circle, so that lat/long/radius are each checked with the others.
    for value in HOSTILE:
        others = {"lat": "51.17", "long": "7.08", "radius": "100"}
        others[name if name in others else "long"] = value
        query = "&".join(f"{k}={quote(v)}" for k, v in others.items())
        check_answer(client.get(f"{BASE}/requests.json?{query}"))


@pytest.mark.parametrize("resource", ["requests", "services", "tokens"])
def test_path_segments_survive_any_value(client, resource):
    for value in HOSTILE:
        segment = quote(value.replace("/", ""), safe="")
        if not segment:
            continue
        response = client.get(f"{BASE}/{resource}/{segment}.json")
        assert response.status_code in (200, 404), value
        if response.status_code == 404:
            check_json(response, ERRORS_SCHEMA, 404)


@pytest.mark.parametrize("name", POST_FIELDS)
def test_post_survives_any_value(client, name):
    key = new_key()
    for value in HOSTILE:
        data = {"api_key": key, "service_code": "licht", "lat": "51.1705", "long": "7.0845"}
        data[name] = value
        before = counts()[0]
        response = client.post(f"{BASE}/requests.json", data=data)
        assert response.status_code in (200, 400, 404), (name, value)
        if response.status_code != 200:
            check_answer(response)
        assert counts()[0] == before + (response.status_code == 200)


@pytest.mark.parametrize("name", ["start_date", "end_date", "api_key", "jurisdiction_id"])
def test_get_updates_survives_any_value(client, name):
    for value in HOSTILE:
        for fmt in ("json", "xml"):
            response = client.get(f"{BASE}/servicerequestupdates.{fmt}?{name}={quote(value)}")
            assert response.status_code in (200, 400, 404), (name, value)
            if fmt == "json":
                check_json(response, UPDATES_SCHEMA, response.status_code)
            else:
                check_xml(response, "service_request_updates", response.status_code)


UPDATE_FIELDS = [
    "service_request_id",
    "update_id",
    "status",
    "updated_datetime",
    "description",
    "email",
    "media_url",
    "public_anonymity_required",
    "jurisdiction_id",
]


@pytest.mark.parametrize("name", UPDATE_FIELDS)
def test_post_updates_survives_any_value(client, name):
    key = new_key("Partner", can_update=True)
    filed = {"api_key": key, "service_code": "licht", "lat": "51.1705", "long": "7.0845"}
    filed["description"] = "Laterne dunkel"
    [answer] = check_json(client.post(f"{BASE}/requests.json", data=filed), POSTED_SCHEMA)
    for number, value in enumerate(HOSTILE):
        data = {
            "api_key": key,
            "service_request_id": answer["service_request_id"],
            "update_id": f"u{number}",
            "status": "IN_PROGRESS",
            "updated_datetime": "2026-12-02T10:00:00Z",
            "description": "Wird erledigt.",
            name: value,
        }
        before = counts()[2]
        response = client.post(f"{BASE}/servicerequestupdates.json", data=data)
        assert response.status_code in (200, 400, 404), (name, value)
        check_json(response, UPDATE_POSTED_SCHEMA, response.status_code)
        assert counts()[2] == before + (response.status_code == 200), (name, value)


def test_many_unknown_service_codes_are_one_error(client):
    codes = ",".join(["licht"] * 30 + [f"x{i}" for i in range(30)])
    [error] = check_json(client.get(f"{BASE}/requests.json?service_code={codes}"), {}, 400)
    assert error["description"].startswith("service_code:")


def test_too_many_ids_are_refused(client):
    ids = ",".join(f"2026-{i:06d}" for i in range(1001))
    [error] = check_json(client.get(f"{BASE}/requests.json?service_request_id={ids}"), {}, 400)
    assert error["description"].startswith("service_request_id:")
