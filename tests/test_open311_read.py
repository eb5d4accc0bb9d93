"""Open311 reading: discovery, services, service definitions, requests, tokens and the
extensions. Every answer in JSON (validated against the schemas) and in XML (parsed and compared
with the JSON)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from jsonschema import ValidationError
from sqlalchemy import update

from app.extensions import db
from app.models import Category, EventKind, Status, TimelineEvent
from tests.factories import MITTE, demo_districts, inside_point
from tests.test_open311_support import (
    BASE,
    DISCOVERY_SCHEMA,
    TOKEN_SCHEMA,
    add_stored_photo,
    both_formats,
    errors_in_both,
    get_json,
    make_report,
    set_status,
    validate,
)

W3C = "%Y-%m-%dT%H:%M:%SZ"


def ids(data: list[dict]) -> list[str]:
    return [item["service_request_id"] for item in data]


def w3c(value: datetime) -> str:
    return value.astimezone(UTC).strftime(W3C)


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
        "metadata": False,
        "type": "realtime",
        "keywords": "Street light out",
        "group": "TBS – Straßenbeleuchtung",
    }
    assert [s["service_name"] for s in data] == sorted(s["service_name"] for s in data)


def test_service_definition_has_no_attributes(client):
    data = both_formats(
        client, "services/licht.{fmt}", "service-definition.json", "service_definition"
    )
    assert data == {"service_code": "licht", "attributes": []}


@pytest.mark.parametrize("code", ["gibtsnicht", "x" * 300, "%3Cscript%3E", "winter"])
def test_unknown_or_inactive_service_is_404(client, code):
    db.session.execute(update(Category).where(Category.code == "winter").values(active=False))
    db.session.commit()
    [message] = errors_in_both(client, f"services/{code}.{{fmt}}", 404)
    assert message.startswith("service_code:")


def test_requests_default_to_the_last_90_days_newest_first(client):
    newest = make_report(age=timedelta(minutes=1))
    older = make_report(code="strasse", age=timedelta(days=80))
    make_report(age=timedelta(days=100))
    data = both_formats(client, "requests.{fmt}", "requests.json", "service_requests")
    assert ids(data) == [newest.case_number, older.case_number]


def test_a_request_carries_the_public_facts(client):
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


def test_unpublished_reports_hide_text_links_and_photos(client):
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


def test_closed_status_notes_and_closing_time(client):
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


def test_status_notes_fall_back_to_the_status_label(client):
    report = make_report()
    set_status(report, Status.IN_PROGRESS, report.created_at + timedelta(hours=3))
    [item] = get_json(client, f"requests/{report.case_number}.json", "requests.json")
    assert item["status"] == "open"
    assert item["status_notes"] == "In Bearbeitung"


def test_media_url_is_the_first_visible_photo_then_the_link(client):
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


def test_extensions_add_district_detailed_status_and_public_timeline(client):
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


def test_service_request_id_list_overrides_every_other_argument(client):
    old = make_report(status=Status.RESOLVED, age=timedelta(days=400))
    new = make_report()
    path = (
        f"requests.{{fmt}}?service_request_id={old.case_number},{new.case_number},gibtsnicht"
        "&status=open&start_date=kaputt&bbox=1,2&service_code=licht,unbekannt&page=0"
    )
    data = both_formats(client, path, "requests.json", "service_requests")
    assert ids(data) == [new.case_number, old.case_number]


def test_unknown_request_is_404(client):
    for request_id in ("2026-999999", "a" * 30, "2026-0000%2001"):
        [message] = errors_in_both(client, f"requests/{request_id}.{{fmt}}", 404)
        assert message.startswith("service_request_id:")


def test_filter_by_service_codes(client):
    licht = make_report(code="licht")
    strasse = make_report(code="strasse")
    make_report(code="ampel")
    data = both_formats(
        client, "requests.{fmt}?service_code=licht,strasse", "requests.json", "service_requests"
    )
    assert set(ids(data)) == {licht.case_number, strasse.case_number}
    only = get_json(client, "requests.json?service_code=strasse", "requests.json")
    assert ids(only) == [strasse.case_number]
    # Repeating the parameter works like the comma list.
    again = get_json(
        client, "requests.json?service_code=licht&service_code=strasse", "requests.json"
    )
    assert ids(again) == ids(data)
    [message] = errors_in_both(client, "requests.{fmt}?service_code=licht,nix", 400)
    assert "service_code" in message and "'nix'" in message


def test_filter_by_status(client):
    open_one = make_report(status=Status.IN_PROGRESS)
    closed_one = make_report(status=Status.WONT_FIX)
    assert ids(get_json(client, "requests.json?status=open", "requests.json")) == [
        open_one.case_number
    ]
    assert ids(get_json(client, "requests.json?status=closed", "requests.json")) == [
        closed_one.case_number
    ]
    both = get_json(client, "requests.json?status=open,closed", "requests.json")
    assert len(both) == 2
    [message] = errors_in_both(client, "requests.{fmt}?status=offen", 400)
    assert message.startswith("status:")


def test_filter_by_requested_period(client):
    recent = make_report(age=timedelta(days=10))
    old = make_report(age=timedelta(days=200))
    now = datetime.now(UTC)
    start, end = w3c(now - timedelta(days=210)), w3c(now - timedelta(days=190))
    data = get_json(client, f"requests.json?start_date={start}&end_date={end}", "requests.json")
    assert ids(data) == [old.case_number]
    # Only a start: the 90 days after it. Only an end: the 90 days before it.
    only_start = get_json(client, f"requests.json?start_date={start}", "requests.json")
    assert ids(only_start) == [old.case_number]
    before = w3c(now - timedelta(days=5))
    only_end = get_json(client, f"requests.json?end_date={before}", "requests.json")
    assert ids(only_end) == [recent.case_number]


@pytest.mark.parametrize(
    "value",
    [
        "2026-01-31T10:00:00Z",
        "2026-01-31T10:00:00%2B01:00",
        "2026-01-31T10:00:00+01:00",  # an unencoded "+" arrives as a space
        "2026-01-31T10:00:00.123456-05:00",
        "2026-01-31",
        "2026-01-31T10:00:00",
    ],
)
def test_dates_in_w3c_forms_are_accepted(client, value):
    get_json(client, f"requests.json?start_date={value}", "requests.json")


def test_bad_periods_are_refused_naming_the_parameter(client):
    cases = {
        "start_date=2026-02-01T00:00:00Z&end_date=2026-01-01T00:00:00Z": "start_date:",
        "start_date=2025-01-01T00:00:00Z&end_date=2025-06-01T00:00:00Z": "end_date:",
        "start_date=gestern": "start_date:",
        "end_date=0001-01-01T00:00:00Z": "end_date:",
        "updated_after=2026-02-01T00:00:00Z&updated_before=2026-01-01T00:00:00Z": "updated_after:",
        "updated_before=31.12.2025": "updated_before:",
    }
    for query, name in cases.items():
        [message] = errors_in_both(client, f"requests.{{fmt}}?{query}", 400)
        assert message.startswith(name)


def test_filter_by_update_time_reaches_older_reports(client):
    old = make_report(age=timedelta(days=300))
    set_status(old, Status.RESOLVED, datetime.now(UTC) - timedelta(days=1))
    make_report(age=timedelta(days=30))
    since = w3c(datetime.now(UTC) - timedelta(days=2))
    data = get_json(client, f"requests.json?updated_after={since}", "requests.json")
    assert ids(data) == [old.case_number]
    before = get_json(client, f"requests.json?updated_before={since}", "requests.json")
    assert old.case_number not in ids(before) and len(before) == 1


def test_filter_by_bounding_box(client):
    features = {f["properties"]["code"]: f for f in demo_districts()}
    inside = make_report()
    elsewhere = make_report(at=inside_point(features["4"]))
    lat, lon = MITTE
    box = f"{lon - 0.001},{lat - 0.001},{lon + 0.001},{lat + 0.001}"
    data = both_formats(client, f"requests.{{fmt}}?bbox={box}", "requests.json", "service_requests")
    assert ids(data) == [inside.case_number]
    assert elsewhere.case_number not in ids(data)


@pytest.mark.parametrize(
    "bbox",
    [
        "7.1,51.2,7.0,51.1",
        "7.0,51.1,7.1",
        "7.0,51.1,7.1,51.2,1",
        "a,b,c,d",
        "nan,51.1,7.1,51.2",
        "7.0,-91,7.1,51.2",
        "-inf,51.1,inf,51.2",
        ",,,",
    ],
)
def test_bad_bounding_boxes_are_refused(client, bbox):
    [message] = errors_in_both(client, f"requests.{{fmt}}?bbox={bbox}", 400)
    assert message.startswith("bbox:")


def test_filter_by_distance_in_metres(client):
    near = make_report()
    far = make_report(at=(MITTE[0] + 0.0045, MITTE[1]))  # about 500 m north
    lat, lon = MITTE
    data = get_json(client, f"requests.json?lat={lat}&long={lon}&radius=300", "requests.json")
    assert ids(data) == [near.case_number]
    wide = get_json(client, f"requests.json?lat={lat}&long={lon}&radius=600", "requests.json")
    assert set(ids(wide)) == {near.case_number, far.case_number}


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("lat=51.17&long=7.08", "radius:"),
        ("radius=100", "lat:"),
        ("lat=51.17&long=7.08&radius=-5", "radius:"),
        ("lat=51.17&long=7.08&radius=0", "radius:"),
        ("lat=51.17&long=7.08&radius=1e12", "radius:"),
        ("lat=51.17&long=7.08&radius=NaN", "radius:"),
        ("lat=95&long=7.08&radius=100", "lat:"),
        ("lat=51.17&long=Infinity&radius=100", "long:"),
    ],
)
def test_bad_circles_are_refused(client, query, name):
    messages = errors_in_both(client, f"requests.{{fmt}}?{query}", 400)
    assert any(m.startswith(name) for m in messages)


def test_pages(client):
    reports = [make_report(age=timedelta(minutes=i)) for i in range(5)]
    expected = [r.case_number for r in reports]
    first = get_json(client, "requests.json?page_size=2", "requests.json")
    second = get_json(client, "requests.json?page_size=2&page=2", "requests.json")
    third = get_json(client, "requests.json?page_size=2&page=3", "requests.json")
    assert ids(first) + ids(second) + ids(third) == expected
    assert get_json(client, "requests.json?page_size=2&page=4", "requests.json") == []
    # A page size above the maximum is capped, not refused.
    assert (
        len(get_json(client, "requests.json?page_size=99999999999999999999", "requests.json")) == 5
    )


@pytest.mark.parametrize(
    "query", ["page=0", "page=-1", "page=abc", "page=1.5", "page=99999999999", "page_size=0"]
)
def test_bad_pages_are_refused(client, query):
    [message] = errors_in_both(client, f"requests.{{fmt}}?{query}", 400)
    assert message.split(":")[0] in ("page", "page_size")


def test_several_errors_at_once(client):
    messages = errors_in_both(
        client, "requests.{fmt}?status=x&bbox=1&page=0&start_date=y&extensions=vielleicht", 400
    )
    assert [m.split(":")[0] for m in messages] == [
        "extensions",
        "status",
        "start_date",
        "bbox",
        "page",
    ]


OPTIONAL_PARAMETERS = [
    "service_request_id",
    "service_code",
    "start_date",
    "end_date",
    "status",
    "bbox",
    "page",
    "page_size",
    "updated_after",
    "updated_before",
    "lat",
    "long",
    "radius",
    "extensions",
    "jurisdiction_id",
]


def test_empty_parameters_count_as_absent(client):
    report = make_report()
    query = "requests.json?" + "&".join(f"{name}=" for name in OPTIONAL_PARAMETERS)
    assert ids(get_json(client, query, "requests.json")) == [report.case_number]


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
def test_jurisdiction_must_match_when_given(client, path):
    make_report()
    query = "?jurisdiction_id=wuppertal.de"
    [message] = errors_in_both(client, path + query, 404)
    assert message.startswith("jurisdiction_id:")
    ok = client.get(f"{BASE}/{path.format(fmt='json')}?jurisdiction_id=Solingen.de")
    assert ok.status_code in (200, 404)
    assert "jurisdiction_id" not in ok.get_data(as_text=True)


def test_tokens_resolve_to_the_request(client):
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
