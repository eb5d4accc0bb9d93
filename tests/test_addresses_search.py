"""The address search as a citizen types ("Kölner Str 5", "koelner strasse 5", typos, 12a),
the place description of a report, the JSON endpoints, and Open311's address_string."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.addresses.formats import read_csv
from app.addresses.importing import store
from app.addresses.search import search
from app.extensions import db
from app.models import Report
from tests.addresses_support import STEP, STREETS, houses, write_csv
from tests.fixtures.open311 import BASE, new_key
from tests.helpers import counts


@pytest.fixture
def addresses(tmp_path) -> None:
    store(read_csv(write_csv(tmp_path / "a.csv", houses())), "csv")
    db.session.commit()


@pytest.mark.parametrize(
    ("typed", "label"),
    [
        ("Kölner Straße 5", "Kölner Straße 5, Mitte"),
        ("Kölner Str 5", "Kölner Straße 5, Mitte"),
        ("Kölner Str. 5", "Kölner Straße 5, Mitte"),
        ("koelner strasse 5", "Kölner Straße 5, Mitte"),
        ("KÖLNERSTR 5", "Kölner Straße 5, Mitte"),
        ("Kolner Strase 5", "Kölner Straße 5, Mitte"),  # typos
        ("Kölner Straße 12a", "Kölner Straße 12a, Mitte"),
        ("Kölner Straße 12 a", "Kölner Straße 12a, Mitte"),
        ("Kölner Straße 12", "Kölner Straße 12, Mitte"),
        ("Am Prüfweg 3", "Am Prüf-Weg 3, Mitte"),  # missing hyphen
        ("am pruef-weg 3", "Am Prüf-Weg 3, Mitte"),  # umlaut spelled out
        ("Lindenallee", "Lindenallee, Mitte"),
        ("Linden", "Lindenallee, Mitte"),  # while typing
    ],
)
def test_search_finds_what_citizens_type(addresses, typed, label):
    found = search(typed)
    assert found and found[0].label == label, [c.label for c in found]


def test_a_house_number_that_does_not_exist_offers_the_nearest(addresses):
    assert search("Kölner Straße 999")[0].label == "Kölner Straße 60, Mitte"


def test_without_addresses_the_stadtteile_are_found(client):
    answer = client.get("/api/v1/adressen", query_string={"q": "Gräfrath"}).get_json()
    assert answer[0]["kind"] == "district" and answer[0]["label"] == "Gräfrath"
    assert client.get("/api/v1/adressen", query_string={"q": "xq"}).get_json() == []


def test_the_endpoint_answers_at_most_ten_as_json(client, addresses):
    answer = client.get("/api/v1/adressen", query_string={"q": "Kölner"}).get_json()
    assert 1 <= len(answer) <= 10
    first = client.get("/api/v1/adressen", query_string={"q": "Kölner Str 5"}).get_json()[0]
    lat, lon = STREETS["Kölner Straße"]
    assert first["kind"] == "address" and first["number"] == "5"
    assert abs(first["lat"] - lat) < 1e-6 and abs(first["lon"] - (lon + 5 * STEP)) < 1e-6


@pytest.mark.parametrize("q", ["x" * 101, "Kölner\x00Straße"])
def test_hostile_searches_get_a_clear_400(client, q):
    response = client.get("/api/v1/adressen", query_string={"q": q})
    assert response.status_code == 400 and "Zeichen" in response.get_json()["error"]


def test_reverse_lookup(client, addresses):
    lat, lon = STREETS["Kölner Straße"]

    def place(a: float, b: float) -> str | None:
        return client.get("/api/v1/adressen/ort", query_string={"lat": a, "lon": b}).get_json()[
            "label"
        ]

    assert place(lat, lon + 5 * STEP) == "Kölner Straße 5"
    assert place(lat + 0.0009, lon + 5 * STEP) == "Kölner Straße"  # ~100 m away
    assert place(51.13, 7.00) not in (None, "Kölner Straße")  # the Stadtteil there
    bad = client.get("/api/v1/adressen/ort", query_string={"lat": "x", "lon": "7"})
    assert bad.status_code == 400


def test_a_report_gets_its_place_on_every_public_output(client, addresses, make_report):
    lat, lon = STREETS["Kölner Straße"]
    report = make_report(at=(lat, lon + 7 * STEP), published=True)
    assert report.address == "Kölner Straße 7"
    page = client.get(f"/meldungen/{report.case_number}").get_data(as_text=True)
    assert "Kölner Straße 7" in page
    assert "Kölner Straße 7" in client.get("/meldungen").get_data(as_text=True)
    [item] = client.get(f"{BASE}/requests/{report.case_number}.json").get_json()
    assert item["address"].startswith("Kölner Straße 7, Mitte")


def test_open311_address_string_alone_is_geocoded(client, addresses):
    data = {"api_key": new_key(), "service_code": "licht", "description": "Laterne dunkel"}
    response = client.post(f"{BASE}/requests.json", data=data | {"address_string": "Kölner Str 9"})
    assert response.status_code == 200, response.get_data(as_text=True)
    report = db.session.scalars(select(Report)).one()
    lat, lon = STREETS["Kölner Straße"]
    assert abs(report.lat - lat) < 1e-6 and abs(report.lon - (lon + 9 * STEP)) < 1e-6
    assert report.place_text == "Kölner Str 9" and report.address == "Kölner Straße 9"


@pytest.mark.parametrize("address", ["Kölner Straße 999", "Nirgendwo 1", "x" * 300])
def test_open311_address_string_that_matches_nothing_is_400(client, addresses, address):
    before = counts()
    data = {"api_key": new_key(), "service_code": "licht", "description": "Laterne"}
    response = client.post(f"{BASE}/requests.json", data=data | {"address_string": address})
    assert response.status_code == 400
    assert response.get_json()[0]["description"].startswith("address_string:")
    assert counts() == before


def test_the_city_app_without_a_point_is_placed_by_its_address_line(client, addresses):
    from tests.test_city_app import android_body, post_android

    lat, lon = STREETS["Kölner Straße"]
    nowhere = {"__type": "GeoPoint", "latitude": 0, "longitude": 0}
    body = android_body(geopoint=nowhere, address="Kölner Straße 4, 42651 Solingen, Deutschland")
    response = post_android(client, body)
    assert response.status_code == 201, response.get_data(as_text=True)
    report = db.session.scalars(select(Report)).one()
    assert abs(report.lat - lat) < 1e-6 and abs(report.lon - (lon + 4 * STEP)) < 1e-6
    unknown = android_body(geopoint=nowhere, address="Gibtsnichtweg 4, 42651 Solingen")
    refused = post_android(client, unknown)
    assert refused.status_code == 400 and "keinen Ort" in refused.get_json()["error"]
