"""Atom feed and exports: well-formed, filterable, streamed, and free of personal data."""

from __future__ import annotations

import csv
import io
import json
from xml.etree import ElementTree as ET

import pytest
from sqlalchemy import text

from app.extensions import db
from tests.helpers import form_data, post_report

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def reports(app):
    result = app.test_cli_runner().invoke(args=["demo", "generate", "--count", "80"])
    assert result.exit_code == 0, result.output


def count(where: str = "true") -> int:
    return db.session.scalar(text(f"SELECT count(*) FROM reports WHERE {where}"))


def test_atom_feed_of_a_district(client, reports):
    response = client.get("/feeds/meldungen.atom?district=3")
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.data)
    entries = feed.findall(f"{ATOM}entry")
    district = db.session.scalar(text("SELECT name FROM districts WHERE code = '3'"))
    assert 0 < len(entries) <= 50
    assert all(f"({district})" in e.find(f"{ATOM}title").text for e in entries)
    assert feed.find(f"{ATOM}updated").text
    updated = [e.find(f"{ATOM}updated").text for e in entries]
    assert updated == sorted(updated, reverse=True)


def test_atom_feed_by_category_links_to_report_pages(client, reports):
    feed = ET.fromstring(client.get("/feeds/meldungen.atom?category=licht").data)
    entries = feed.findall(f"{ATOM}entry")
    assert entries
    for entry in entries:
        assert entry.find(f"{ATOM}category").get("term") == "licht"
        link = entry.find(f"{ATOM}link").get("href")
        assert client.get(link.replace("http://localhost", "")).status_code == 200


def test_geojson_export_holds_every_report(client, reports):
    response = client.get("/export/meldungen.geojson")
    assert response.is_streamed
    data = json.loads(response.get_data(as_text=True))
    assert data["type"] == "FeatureCollection"
    assert len(data["features"]) == count()
    feature = data["features"][0]
    assert feature["geometry"]["type"] == "Point"
    assert {"case_number", "status", "district", "category", "url"} <= set(feature["properties"])


def test_csv_export_with_filter(client, reports):
    response = client.get("/export/meldungen.csv?status=open")
    # Exactly one charset: spreadsheet importers read a doubled parameter as no charset at all.
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == count("status IN ('received', 'accepted', 'in_progress')")
    assert {r["status"] for r in rows} <= {"received", "accepted", "in_progress"}


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "  =", "\t="])
def test_csv_defuses_spreadsheet_formulas(client, app, monkeypatch, start):
    monkeypatch.setitem(app.config, "PUBLISHING", "immediate")
    response = post_report(client, form_data(description=f'{start}HYPERLINK("http://evil")'))
    assert response.status_code == 302
    db.session.execute(text("UPDATE districts SET name = '=cmd|calc' WHERE code = '1'"))
    rows = list(csv.DictReader(io.StringIO(client.get("/export/meldungen.csv").get_data(True))))
    assert rows[0]["description"].startswith("'")
    assert rows[0]["district"] == "'=cmd|calc"


def test_feed_survives_characters_xml_cannot_carry(client, app, monkeypatch, make_report):
    monkeypatch.setitem(app.config, "PUBLISHING", "immediate")
    make_report()
    db.session.execute(text("UPDATE reports SET description = 'kaputt \uffff und \ufffe'"))
    feed = ET.fromstring(client.get("/feeds/meldungen.atom").data)
    summary = feed.find(f"{ATOM}entry/{ATOM}summary").text
    assert "kaputt  und " in summary


def test_unpublished_text_is_not_exported(client, make_report):
    make_report(description="Noch ungeprüfter Text")
    case = db.session.scalar(text("SELECT case_number FROM reports"))
    assert case in client.get("/export/meldungen.csv").get_data(as_text=True)
    assert "ungeprüfter" not in client.get("/export/meldungen.csv").get_data(as_text=True)
    assert "ungeprüfter" not in client.get("/export/meldungen.geojson").get_data(as_text=True)
    assert "ungeprüfter" not in client.get("/feeds/meldungen.atom").get_data(as_text=True)


@pytest.mark.parametrize(
    "url",
    [
        "/feeds/meldungen.atom?district=zz",
        "/export/meldungen.csv?since=morgen",
        "/export/meldungen.geojson?status=<b>",
    ],
)
def test_bad_filters_are_refused(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert "Ungültiger Parameter" in response.get_data(as_text=True)


def test_atom_feed_within_a_radius(client, make_report):
    lat, lon = 51.1705, 7.0845
    near = make_report(at=(lat + 0.003, lon))  # about 330 m north
    far = make_report(at=(lat + 0.01, lon))  # about 1.1 km north
    body = client.get(f"/feeds/meldungen.atom?lat={lat}&lon={lon}&radius=500").get_data()
    feed = ET.fromstring(body)
    links = [e.find(f"{ATOM}link").get("href") for e in feed.iter(f"{ATOM}entry")]
    assert [link.rsplit("/", 1)[1] for link in links] == [near.case_number]
    assert "radius=500" in feed.find(f"{ATOM}id").text
    wider = client.get(f"/feeds/meldungen.atom?lat={lat}&lon={lon}&radius=1500").get_data()
    assert far.case_number.encode() in wider and near.case_number.encode() in wider


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("lat=51.17&lon=7.08", "„lat“, „lon“ und „radius“ gehören zusammen"),
        ("radius=500", "gehören zusammen"),
        ("lat=51.17&lon=7.08&radius=0", "zwischen 1 und 5000 Metern"),
        ("lat=51.17&lon=7.08&radius=5001", "zwischen 1 und 5000 Metern"),
        ("lat=51.17&lon=7.08&radius=abc", "ganze Zahl von Metern"),
        ("lat=51.17&lon=7.08&radius=-5", "ganze Zahl von Metern"),
        ("lat=NaN&lon=7.08&radius=500", "endliche Zahl"),
        ("lat=91&lon=7.08&radius=500", "zwischen -90 und 90"),
        ("lat=51.17&lon=x&radius=500", "Parameter „lon“"),
    ],
)
def test_bad_radius_filters_are_refused_with_a_clear_message(client, query, message):
    response = client.get(f"/feeds/meldungen.atom?{query}")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
