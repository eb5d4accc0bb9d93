"""RATELIMIT_OPEN311_KEY: one API key files only so many reports; the next POST gets a 429 in
Open311's error format with Retry-After, while other keys file as usual. The limiter counts
under the key's hash, never the plain key."""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db, limiter
from app.models import Report
from tests.factories import MITTE
from tests.fixtures.open311 import BASE, POSTED_SCHEMA, check_json, check_xml, new_key

FIELDS = {
    "service_code": "licht",
    "lat": str(MITTE[0]),
    "long": str(MITTE[1]),
    "description": "Laterne dunkel",
}


def file(client, key: str, fmt: str = "json", header: bool = False):
    if header:
        return client.post(f"{BASE}/requests.{fmt}", data=FIELDS, headers={"X-Api-Key": key})
    return client.post(f"{BASE}/requests.{fmt}", data={**FIELDS, "api_key": key})


def reports() -> int:
    return db.session.scalar(select(func.count()).select_from(Report))


def test_a_key_files_up_to_its_limit_then_waits(client, tiny_limit):
    key, other = new_key("Stadt-App"), new_key("Andere-App")
    check_json(file(client, key), POSTED_SCHEMA)
    check_json(file(client, key, header=True), POSTED_SCHEMA)  # the same key, however sent
    refused = file(client, key)
    errors = check_json(refused, {}, 429)
    assert errors[0]["description"].startswith(
        "Zu viele Anfragen mit diesem API-Schlüssel: höchstens 2 pro Minute."
    )
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    check_xml(file(client, key, fmt="xml"), "errors", 429)
    assert reports() == 2
    check_json(file(client, other), POSTED_SCHEMA)  # another key is not held up
    assert reports() == 3


def test_the_limiter_never_stores_the_plain_key(client, tiny_limit):
    key = new_key()
    file(client, key)
    stored = " ".join(str(name) for name in limiter.storage.storage)
    assert "open311-key:" in stored
    assert key not in stored
