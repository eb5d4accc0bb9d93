"""Open311 request lists: the default period, the filters (ids, service codes, status, periods,
update times, bounding box, circle), pages, and how bad or empty arguments are answered. Every
answer in JSON (validated against the schemas) and, where both are asked for, in XML too."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.models import Status
from tests.factories import MITTE, demo_districts, inside_point
from tests.fixtures.open311 import (
    both_formats,
    errors_in_both,
    get_json,
    w3c,
)
from tests.fixtures.reports import set_status

# The requests are read through public answers: reports are published when filed.
pytestmark = pytest.mark.usefixtures("publishing_immediate")


def ids(data: list[dict]) -> list[str]:
    return [item["service_request_id"] for item in data]


def test_requests_default_to_the_last_90_days_newest_first(client, make_report):
    newest = make_report(age=timedelta(minutes=1))
    older = make_report(code="strasse", age=timedelta(days=80))
    make_report(age=timedelta(days=100))
    data = both_formats(client, "requests.{fmt}", "requests.json", "service_requests")
    assert ids(data) == [newest.case_number, older.case_number]


def test_service_request_id_list_overrides_every_other_argument(client, make_report):
    old = make_report(status=Status.RESOLVED, age=timedelta(days=400))
    new = make_report()
    path = (
        f"requests.{{fmt}}?service_request_id={old.case_number},{new.case_number},gibtsnicht"
        "&status=open&start_date=kaputt&bbox=1,2&service_code=licht,unbekannt&page=0"
    )
    data = both_formats(client, path, "requests.json", "service_requests")
    assert ids(data) == [new.case_number, old.case_number]


def test_filter_by_service_codes(client, make_report):
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


def test_filter_by_status(client, make_report):
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


def test_filter_by_requested_period(client, make_report):
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


def test_filter_by_update_time_reaches_older_reports(client, make_report):
    old = make_report(age=timedelta(days=300))
    set_status(old, Status.RESOLVED, datetime.now(UTC) - timedelta(days=1))
    make_report(age=timedelta(days=30))
    since = w3c(datetime.now(UTC) - timedelta(days=2))
    data = get_json(client, f"requests.json?updated_after={since}", "requests.json")
    assert ids(data) == [old.case_number]
    before = get_json(client, f"requests.json?updated_before={since}", "requests.json")
    assert old.case_number not in ids(before) and len(before) == 1


def test_filter_by_bounding_box(client, make_report):
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


def test_filter_by_distance_in_metres(client, make_report):
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


def test_pages(client, make_report):
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


def test_empty_parameters_count_as_absent(client, make_report):
    report = make_report()
    query = "requests.json?" + "&".join(f"{name}=" for name in OPTIONAL_PARAMETERS)
    assert ids(get_json(client, query, "requests.json")) == [report.case_number]
