"""Open311 reading: discovery, services, service definitions, single requests, tokens and the
extensions, and the answers to wrong paths, methods and jurisdictions. Every answer in JSON
(validated against the schemas) and in XML (parsed and compared with the JSON)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from jsonschema import ValidationError
from sqlalchemy import update

from app.extensions import db
from app.models import Category, EventKind, Status, TimelineEvent
from tests.factories import MITTE
from tests.fixtures.open311 import (
    BASE,
    DISCOVERY_SCHEMA,
    TOKEN_SCHEMA,
    add_stored_photo,
    both_formats,
    errors_in_both,
    get_json,
    validate,
    w3c,
)
from tests.fixtures.reports import set_status

# The requests are read through public answers: reports are published when filed.
pytestmark = pytest.mark.usefixtures("publishing_immediate")


def test_discovery_names_the_endpoint_and_both_formats(client):
    data = both_formats(client, "discovery.{fmt}", DISCOVERY_SCHEMA, "discovery")
    endpoint = data["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://localhost/open311/v2"
    assert set(endpoint["formats"]) == {"text/xml", "application/json"}
    assert endpoint["type"] == "production"
    assert "open311@example.org" in data["key_service"]


def test_services_are_the_active_categories(client):
    db.session.execute(update(Category).where(Category.code == "winter").values(active=False))
    db.session.commit()
    data = both_formats(client, "services.{fmt}", "services.json", "services")
    codes = {s["service_code"] for s in data}
    assert "licht" in codes and "winter" not in codes
    licht = next(s for s in data if s["service_code"] == "licht")
    assert licht == {
        "service_code": "licht",
        "service_name": "Straßenbeleuchtung defekt",
        "description": None,
        # The demo asks for the number on the lamp post (see test_category_questions).
        "metadata": True,
        "type": "realtime",
        "keywords": "Street light out",
        "group": "TBS – Straßenbeleuchtung",
    }
    assert [s["service_name"] for s in data] == sorted(s["service_name"] for s in data)


def test_a_service_without_questions_has_no_attributes(client):
    data = both_formats(
        client, "services/muell.{fmt}", "service-definition.json", "service_definition"
    )
    assert data == {"service_code": "muell", "attributes": []}


@pytest.mark.parametrize("code", ["gibtsnicht", "x" * 300, "%3Cscript%3E", "winter"])
def test_unknown_or_inactive_service_is_404(client, code):
    db.session.execute(update(Category).where(Category.code == "winter").values(active=False))
    db.session.commit()
    [message] = errors_in_both(client, f"services/{code}.{{fmt}}", 404)
    assert message.startswith("service_code:")


def test_a_request_carries_the_public_facts(client, make_report):
    report = make_report(description="Mast <umgeknickt> & dunkel")
    [item] = both_formats(
        client, f"requests/{report.case_number}.{{fmt}}", "requests.json", "service_requests"
    )
    assert item == {
        "service_request_id": report.case_number,
        "status": "open",
        "status_notes": "Eingegangen",
        "service_name": "Straßenbeleuchtung defekt",
        "service_code": "licht",
        "description": "Mast <umgeknickt> & dunkel",
        "agency_responsible": "TBS – Straßenbeleuchtung",
        "service_notice": None,
        "requested_datetime": w3c(report.created_at),
        "updated_datetime": w3c(report.updated_at),
        "expected_datetime": None,
        "address": "Mitte, Solingen",
        "address_id": None,
        "zipcode": None,
        "lat": pytest.approx(MITTE[0]),
        "long": pytest.approx(MITTE[1]),
        "media_url": None,
    }


def test_unpublished_reports_hide_text_links_and_photos(client, make_report):
    report = make_report(published=False, description="Noch nicht geprüft")
    report.media_url = "https://example.org/bild.jpg"
    add_stored_photo(report, "unpublished")
    [item] = both_formats(
        client,
        f"requests/{report.case_number}.{{fmt}}?extensions=true",
        "requests.json",
        "service_requests",
    )
    assert item["description"] is None and item["media_url"] is None
    assert item["extended_attributes"]["media_urls"] == []


def test_closed_status_notes_and_closing_time(client, make_report):
    report = make_report()
    closed_at = report.created_at + timedelta(days=2)
    set_status(report, Status.RESOLVED, closed_at, note="Leuchtmittel getauscht.")
    # A later public note changes updated_at, but a closed request shows when it was closed.
    report.updated_at = closed_at + timedelta(days=1)
    db.session.commit()
    [item] = get_json(client, f"requests/{report.case_number}.json", "requests.json")
    assert item["status"] == "closed"
    assert item["status_notes"] == "Leuchtmittel getauscht."
    assert item["updated_datetime"] == w3c(closed_at)


def test_status_notes_fall_back_to_the_status_label(client, make_report):
    report = make_report()
    set_status(report, Status.IN_PROGRESS, report.created_at + timedelta(hours=3))
    [item] = get_json(client, f"requests/{report.case_number}.json", "requests.json")
    assert item["status"] == "open"
    assert item["status_notes"] == "In Bearbeitung"


def test_media_url_is_the_first_visible_photo_then_the_link(client, make_report):
    report = make_report()
    add_stored_photo(report, "versteckt", hidden=True)
    add_stored_photo(report, "erstes")
    report.media_url = "https://example.org/extern.jpg"
    db.session.commit()
    [item] = both_formats(
        client,
        f"requests/{report.case_number}.{{fmt}}?extensions=true",
        "requests.json",
        "service_requests",
    )
    assert item["media_url"] == "http://localhost/fotos/erstes.jpg"
    assert item["extended_attributes"]["media_urls"] == [
        "http://localhost/fotos/erstes.jpg",
        "https://example.org/extern.jpg",
    ]


def test_extensions_add_district_detailed_status_and_public_timeline(client, make_report):
    report = make_report(code="gruen")
    set_status(report, Status.ACCEPTED, report.created_at + timedelta(hours=1))
    db.session.add(
        TimelineEvent(
            report=report,
            kind=EventKind.INTERNAL_NOTE,
            note="Intern: Anwohner Meier ruft täglich an",
            public=False,
            author="Sachbearbeitung",
            created_at=report.created_at + timedelta(hours=2),
        )
    )
    db.session.add(
        TimelineEvent(
            report=report,
            kind=EventKind.PUBLIC_NOTE,
            note="Ein Trupp kommt am Montag.",
            public=True,
            author="Sachbearbeitung",
            created_at=report.created_at + timedelta(hours=3),
        )
    )
    db.session.commit()
    [item] = both_formats(
        client, "requests.{fmt}?extensions=true", "requests.json", "service_requests"
    )
    extended = item["extended_attributes"]
    assert extended["district"] == "Mitte" and extended["district_code"] == "1"
    assert extended["detailed_status"] == "accepted"
    assert extended["detailed_status_label"] == "In Prüfung"
    assert [(n["status"], n["description"]) for n in extended["status_notes"]] == [
        ("received", "Eingegangen"),
        ("accepted", "In Prüfung"),
        (None, "Ein Trupp kommt am Montag."),
    ]
    assert item["status_notes"] == "Ein Trupp kommt am Montag."
    without = get_json(client, "requests.json", "requests.json")
    assert "extended_attributes" not in without[0]


def test_unknown_request_is_404(client):
    for request_id in ("2026-999999", "a" * 30, "2026-0000%2001"):
        [message] = errors_in_both(client, f"requests/{request_id}.{{fmt}}", 404)
        assert message.startswith("service_request_id:")


@pytest.mark.parametrize(
    "path",
    [
        "discovery.{fmt}",
        "services.{fmt}",
        "services/licht.{fmt}",
        "requests.{fmt}",
        "requests/2026-000001.{fmt}",
        "tokens/2026-000001.{fmt}",
    ],
)
def test_jurisdiction_must_match_when_given(client, path, make_report):
    make_report()
    query = "?jurisdiction_id=wuppertal.de"
    [message] = errors_in_both(client, path + query, 404)
    assert message.startswith("jurisdiction_id:")
    ok = client.get(f"{BASE}/{path.format(fmt='json')}?jurisdiction_id=Solingen.de")
    assert ok.status_code in (200, 404)
    assert "jurisdiction_id" not in ok.get_data(as_text=True)


def test_tokens_resolve_to_the_request(client, make_report):
    report = make_report()
    data = both_formats(
        client,
        f"tokens/{report.case_number}.{{fmt}}",
        TOKEN_SCHEMA,
        "service_requests",
    )
    assert data == [{"service_request_id": report.case_number, "token": report.case_number}]
    [message] = errors_in_both(client, "tokens/2026-999999.{fmt}", 404)
    assert message.startswith("token:")


@pytest.mark.parametrize(
    "path",
    [
        "requests.csv",
        "requests.JSON",
        "requests.json.xml",
        "requests",
        "services/licht",
        "discovery.html",
        "gibtsnicht.json",
        "",
        "requests/2026-000001/extra.json",
    ],
)
def test_unknown_formats_and_paths_are_404_with_an_error_body(client, path):
    response = client.get(f"{BASE}/{path}")
    assert response.status_code == 404
    assert response.content_type in ("application/json; charset=utf-8", "text/xml; charset=utf-8")
    assert "<code>404</code>" in response.get_data(as_text=True) or response.json[0]["code"] == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [("post", "discovery.json"), ("delete", "requests.json"), ("put", "services.xml")],
)
def test_wrong_methods_are_405(client, method, path):
    response = getattr(client, method)(f"{BASE}/{path}")
    assert response.status_code == 405


def test_reading_is_allowed_from_other_sites(client):
    response = client.get(f"{BASE}/services.json")
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_the_schema_check_itself_catches_missing_time_zones_and_bad_links():
    item = {
        "service_request_id": "2026-000001",
        "status": "open",
        "service_code": "licht",
        "requested_datetime": "2026-01-01T10:00:00Z",
        "media_url": "http://localhost/fotos/a.jpg",
    }
    validate([item], "requests.json")
    for field, bad in (("requested_datetime", "2026-01-01T10:00:00"), ("media_url", "a b")):
        with pytest.raises(ValidationError):
            validate([{**item, field: bad}], "requests.json")
