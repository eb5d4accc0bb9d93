"""Open311 filing: POST requests with API keys, form-encoded and multipart with photos, routed
like the web form; every error path; and the `flask open311` key commands."""

from __future__ import annotations

import io
import json
import socket
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select, update
from werkzeug.test import TestResponse

from app.extensions import db
from app.models import ApiKey, Category, Channel, Report, Status
from app.open311.filing import key_hash
from tests.factories import MITTE, WUPPERTAL, demo_districts, inside_point, jpeg
from tests.fixtures.open311 import (
    BASE,
    POSTED_SCHEMA,
    check_json,
    check_xml,
    errors_in_both,
    get_json,
    new_key,
)
from tests.helpers import counts


@pytest.fixture
def api_key() -> str:
    return new_key()


def fields(api_key: str, **overrides: object) -> dict:
    data: dict = {
        "api_key": api_key,
        "service_code": "licht",
        "lat": str(MITTE[0]),
        "long": str(MITTE[1]),
        "description": "Die Laterne vor Hausnummer 12 ist dunkel.",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def post(client: FlaskClient, data: dict, fmt: str = "json", **kwargs: Any) -> TestResponse:
    return client.post(f"{BASE}/requests.{fmt}", data=data, **kwargs)


def only_report() -> Report:
    return db.session.scalars(select(Report)).one()


def test_filing_form_encoded_routes_like_the_web_form(client, api_key):
    data = fields(
        api_key,
        email="erika@example.org",
        first_name="Erika",
        last_name="Mustermann",
        phone="0212 123456",
        device_id="geraet-1",
        account_id="konto-1",
        address_string="Neumarkt 1",
    )
    response = post(client, data)
    [answer] = check_json(response, POSTED_SCHEMA)
    report = only_report()
    assert answer["service_request_id"] == report.case_number
    assert answer["account_id"] is None
    assert "TBS – Straßenbeleuchtung" in answer["service_notice"]
    assert report.channel == Channel.API
    assert report.status == Status.RECEIVED
    assert report.district.name == "Mitte" and report.department.code == "tbs-licht"
    assert report.reporter_name == "Erika Mustermann"
    assert report.reporter_email == "erika@example.org"
    assert report.reporter_phone == "0212 123456"
    assert [e.author for e in report.events] == ["Meldung (api)"]
    # The new request can be read back at once.
    [item] = get_json(client, f"requests/{report.case_number}.json", "requests.json")
    assert item["service_code"] == "licht"


def test_routing_rules_apply_to_the_api_too(client, api_key):
    burg = next(f for f in demo_districts() if f["properties"]["code"] == "4")
    lat, lon = inside_point(burg)
    post(client, fields(api_key, service_code="gruen", lat=str(lat), long=str(lon)))
    assert only_report().department.code == "sd67"


def test_filing_answers_in_xml(client, api_key):
    root = check_xml(post(client, fields(api_key), fmt="xml"), "service_requests")
    [request] = root.findall("request")
    assert request.findtext("service_request_id") == only_report().case_number
    assert request.find("account_id") is not None and request.findtext("account_id") == ""
    assert request.find("token") is None


def test_multipart_with_photos(client, api_key, uploads):
    data = fields(api_key)
    data["media"] = [(io.BytesIO(jpeg()), "a.jpg"), (io.BytesIO(jpeg((320, 200))), "b.jpg")]
    response = post(client, data, content_type="multipart/form-data")
    check_json(response, POSTED_SCHEMA)
    report = only_report()
    assert len(report.photos) == 2
    assert len(list(uploads.iterdir())) == 4  # photos and thumbnails


def test_media_url_is_kept_as_a_link_and_never_fetched(client, api_key, app, monkeypatch):
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("the server must not fetch media_url")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setitem(app.config, "PUBLISHING", "immediate")
    link = "https://bilder.example.org/foto/123.jpg?groesse=gross&x=%C3%BC"
    check_json(post(client, fields(api_key, media_url=link)), POSTED_SCHEMA)
    report = only_report()
    assert report.media_url == link
    [item] = get_json(client, f"requests/{report.case_number}.json", "requests.json")
    assert item["media_url"] == link


def test_posting_twice_files_two_reports(client, api_key):
    first = check_json(post(client, fields(api_key)), POSTED_SCHEMA)
    second = check_json(post(client, fields(api_key)), POSTED_SCHEMA)
    assert first[0]["service_request_id"] != second[0]["service_request_id"]
    assert counts()[0] == 2


def test_description_may_be_left_out_when_a_photo_link_shows_the_defect(client, api_key):
    link = "https://example.org/laterne.jpg"
    check_json(post(client, fields(api_key, description=None, media_url=link)), POSTED_SCHEMA)
    check_json(post(client, fields(api_key, description="x" * 2000)), POSTED_SCHEMA)
    assert sorted(len(r.description) for r in db.session.scalars(select(Report))) == [0, 2000]


def test_without_description_photo_or_link_there_is_nothing_to_go_on(client, api_key):
    messages = errors_in_both(
        client, "requests.{fmt}", 400, "post", data=fields(api_key, description=None)
    )
    assert messages == [
        "description: Bitte beschreiben Sie den Mangel oder fügen Sie ein Foto bei."
    ]
    assert counts() == (0, 0, 0)


def test_jurisdiction_and_attributes_are_accepted(client, api_key):
    data = fields(api_key, jurisdiction_id="solingen.de")
    data["attribute[WHISPAWN]"] = "123"
    check_json(post(client, data), POSTED_SCHEMA)


@pytest.mark.parametrize("key", [None, "", "falsch", "x" * 1000])
def test_missing_or_wrong_api_key_is_403(client, api_key, key):
    [message] = errors_in_both(client, "requests.{fmt}", 403, "post", data=fields(key))
    assert message.startswith("api_key:")
    assert counts() == (0, 0, 0)


def test_revoked_key_is_403(client, api_key):
    db.session.execute(update(ApiKey).values(active=False))
    db.session.commit()
    errors_in_both(client, "requests.{fmt}", 403, "post", data=fields(api_key))


def test_only_the_hash_of_a_key_is_stored(api_key):
    stored = db.session.scalars(select(ApiKey)).one()
    assert stored.key_hash == key_hash(api_key) and api_key not in stored.key_hash


@pytest.mark.parametrize(
    ("overrides", "start"),
    [
        ({"service_code": None}, "service_code:"),
        ({"service_code": "  "}, "service_code:"),
        ({"lat": None, "long": None}, "lat:"),
        ({"long": None}, "long:"),
        ({"lat": ""}, "lat:"),
        ({"lat": None, "long": None, "address_string": "Neumarkt 1"}, "address_string:"),
        ({"lat": None, "long": None, "address_id": "4711"}, "address_id:"),
        ({"lat": "NaN"}, "lat:"),
        ({"long": "inf"}, "long:"),
        ({"lat": "1e400"}, "lat:"),
        ({"lat": "91"}, "lat:"),
        ({"lat": "einundfünfzig"}, "lat:"),
        ({"lat": str(WUPPERTAL[0]), "long": str(WUPPERTAL[1])}, "lat:"),
        ({"lat": "0", "long": "0"}, "lat:"),
        ({"description": "x" * 2001}, "description:"),
        ({"description": "kaputt\x00"}, "description:"),
        ({"email": "keine-adresse"}, "email:"),
        ({"email": "a@b.de\r\nBcc: x@y.de"}, "email:"),
        ({"phone": "<script>"}, "phone:"),
        # Both together are the name the city stores (200 characters): no 500 for 201.
        ({"first_name": "N" * 100, "last_name": "M" * 100}, "first_name/last_name:"),
        ({"last_name": "\x1b[31m"}, "first_name/last_name:"),
        ({"media_url": "javascript:alert(1)"}, "media_url:"),
        ({"media_url": "/relativ.jpg"}, "media_url:"),
        ({"media_url": "https://example.org/mit leerzeichen.jpg"}, "media_url:"),
        ({"media_url": "https://[::1"}, "media_url:"),
        ({"media_url": "https://example.org/" + "x" * 2100}, "media_url:"),
    ],
)
def test_bad_fields_are_400_naming_the_parameter(client, api_key, overrides, start):
    messages = errors_in_both(
        client, "requests.{fmt}", 400, "post", data=fields(api_key, **overrides)
    )
    assert messages[0].startswith(start), messages
    assert counts() == (0, 0, 0)


def test_address_only_gets_a_clear_message(client, api_key):
    data = fields(api_key, lat=None, long=None, address_string="Neumarkt 1, Solingen")
    [message] = errors_in_both(client, "requests.{fmt}", 400, "post", data=data)
    assert "lat und long" in message


def test_outside_the_city_is_400(client, api_key):
    data = fields(api_key, lat=str(WUPPERTAL[0]), long=str(WUPPERTAL[1]))
    [message] = errors_in_both(client, "requests.{fmt}", 400, "post", data=data)
    assert "außerhalb des Stadtgebiets" in message


def test_several_errors_at_once(client, api_key):
    data = fields(api_key, service_code=None, lat=None, long=None, email="x", phone="y")
    messages = errors_in_both(client, "requests.{fmt}", 400, "post", data=data)
    assert [m.split(":")[0] for m in messages] == ["service_code", "lat", "email", "phone"]


@pytest.mark.parametrize("code", ["gibtsnicht", "winter"])
def test_unknown_or_inactive_service_is_404(client, api_key, code):
    db.session.execute(update(Category).where(Category.code == "winter").values(active=False))
    db.session.commit()
    [message] = errors_in_both(
        client, "requests.{fmt}", 404, "post", data=fields(api_key, service_code=code)
    )
    assert message.startswith("service_code:")


def test_wrong_jurisdiction_is_404(client, api_key):
    data = fields(api_key, jurisdiction_id="koeln.de")
    [message] = errors_in_both(client, "requests.{fmt}", 404, "post", data=data)
    assert message.startswith("jurisdiction_id:")
    assert counts() == (0, 0, 0)


def test_bad_photo_is_400_with_its_message_and_nothing_is_kept(client, api_key, uploads):
    data = fields(api_key)
    data["media"] = [(io.BytesIO(b"kein Bild"), "kaputt.jpg")]
    response = post(client, data, content_type="multipart/form-data")
    [error] = check_json(response, {}, 400)
    assert error["description"].startswith("media: kaputt.jpg:")
    assert counts() == (0, 0, 0)
    assert list(uploads.iterdir()) == []


def test_too_many_photos_are_400(client, api_key, uploads):
    data = fields(api_key)
    data["media"] = [(io.BytesIO(jpeg((50, 50))), f"{i}.jpg") for i in range(6)]
    [error] = check_json(post(client, data, content_type="multipart/form-data"), {}, 400)
    assert "Höchstens 5 Fotos" in error["description"]


def test_too_large_a_body_is_400_in_the_spec_format(client, api_key, app, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1000)
    data = fields(api_key)
    data["media"] = [(io.BytesIO(b"x" * 5000), "gross.jpg")]
    [error] = check_json(post(client, data, content_type="multipart/form-data"), {}, 400)
    assert "zu groß" in error["description"]


def test_json_bodies_are_not_the_spec_and_get_403_without_a_form_key(client, api_key):
    response = client.post(f"{BASE}/requests.json", data=json.dumps(fields(api_key)))
    check_json(response, {}, 403)


def test_create_key_prints_the_key_once_and_stores_its_hash(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["open311", "create-key", "Stadt-App"])
    assert result.exit_code == 0, result.output
    key = result.output.strip().splitlines()[-1]
    stored = db.session.scalars(select(ApiKey).where(ApiKey.name == "Stadt-App")).one()
    assert stored.key_hash == key_hash(key) and stored.active
    listing = runner.invoke(args=["open311", "list-keys"])
    assert "Stadt-App" in listing.output and key not in listing.output
    revoked = runner.invoke(args=["open311", "revoke-key", str(stored.id)])
    assert revoked.exit_code == 0
    db.session.refresh(stored)
    assert not stored.active
    assert runner.invoke(args=["open311", "revoke-key", "999999"]).exit_code != 0
    assert runner.invoke(args=["open311", "create-key", " "]).exit_code != 0
    assert db.session.scalar(select(func.count()).select_from(ApiKey)) == 1


@pytest.mark.parametrize(
    ("first", "second"), [("Stadt-App", "STADT-APP"), ("ÖPNV-App", "öpnv-app")]
)
def test_create_key_refuses_a_second_active_key_of_the_same_name(app, first, second):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["open311", "create-key", first]).exit_code == 0
    again = runner.invoke(args=["open311", "create-key", second])
    assert again.exit_code == 1
    assert f"Für „{second}“ gibt es schon einen aktiven Schlüssel" in again.output
    assert db.session.scalar(select(func.count()).select_from(ApiKey)) == 1
