"""District boundaries on the admin page: the same checks as `flask districts import`, every
message shown, and a refused file changes nothing."""

from __future__ import annotations

import io
import json

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select, text
from werkzeug.test import TestResponse

from app.extensions import db
from app.models import District, Report
from tests.admin_support import page_text, refused
from tests.factories import demo_districts

BOW_TIE = {
    "type": "Polygon",
    "coordinates": [[[6.0, 50.0], [6.01, 50.01], [6.01, 50.0], [6.0, 50.01], [6.0, 50.0]]],
}


@pytest.fixture
def before() -> list[tuple[str, str, bytes]]:
    state = snapshot()
    assert [code for code, _, _ in state] == ["1", "2", "3", "4", "5"]  # the Solingen demo city
    return state


def snapshot() -> list[tuple[str, str, bytes]]:
    """Every district as (code, name, EWKB of the geometry), ordered by code."""
    rows = db.session.execute(
        text("SELECT code, name, ST_AsEWKB(geom) FROM districts ORDER BY code")
    ).all()
    return [(code, name, bytes(geom)) for code, name, geom in rows]


def square(lon: float = 6.0, lat: float = 50.0, size: float = 0.01) -> dict:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def feature(geometry: dict | None, name: str = "Testbezirk", code: str = "t1") -> dict:
    return {"type": "Feature", "properties": {"name": name, "code": code}, "geometry": geometry}


def collection(*features: dict) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


def upload(client: FlaskClient, raw: bytes | None, **fields: object) -> TestResponse:
    data: dict = {"name_field": "name", "code_field": "code", **fields}
    if raw is not None:
        data["file"] = (io.BytesIO(raw), "bezirke.geojson")
    return client.post("/admin/bezirke", data=data, content_type="multipart/form-data")


def test_list_shows_report_counts(admin, make_report):
    make_report()  # in Mitte
    page = page_text(admin.get("/admin/bezirke"))
    row = page[page.index(">Mitte<") :]
    assert "<td>1</td>" in row[: row.index("</tr>")]


def test_upload_adds_and_updates_districts(admin, before):
    mitte = next(f for f in demo_districts() if f["properties"]["code"] == "1")
    renamed = {**mitte, "properties": {"name": "Solingen-Mitte", "code": "1"}}
    response = upload(admin, collection(renamed, feature(square())))
    assert response.status_code == 302
    assert "1 Bezirke angelegt, 1 aktualisiert, 0 entfernt." in page_text(
        admin.get(response.headers["Location"])
    )
    after = {code: name for code, name, _ in snapshot()}
    assert after == {
        "1": "Solingen-Mitte",
        "2": before[1][1],
        "3": before[2][1],
        "4": before[3][1],
        "5": before[4][1],
        "t1": "Testbezirk",
    }


def test_other_field_names_and_replace(admin, before):
    properties = {"STT_NAME": "Nur einer", "STT_NR": 7}
    raw = json.dumps(
        {
            "type": "FeatureCollection",
            "features": [{"type": "Feature", "properties": properties, "geometry": square()}],
        }
    ).encode()
    response = upload(admin, raw, name_field="STT_NAME", code_field="STT_NR", replace="y")
    assert response.status_code == 302
    assert snapshot()[0][:2] == ("7", "Nur einer") and len(snapshot()) == 1


def test_repair_imports_an_invalid_geometry(admin, before):
    refused(upload(admin, collection(feature(BOW_TIE))), "ungültige Geometrie", "--repair")
    assert snapshot() == before
    response = upload(admin, collection(feature(BOW_TIE)), repair="y")
    assert response.status_code == 302
    assert "Repariert: Testbezirk" in page_text(admin.get(response.headers["Location"]))
    valid = db.session.execute(text("SELECT ST_IsValid(geom) FROM districts WHERE code = 't1'"))
    assert valid.scalar_one() is True


@pytest.mark.parametrize(
    ("raw", "messages"),
    [
        (b'{"type": "FeatureCollection", "features": [', ["kein gültiges GeoJSON"]),
        (b"\xff\xfe\x00garbage", ["kein gültiges GeoJSON"]),
        (b"[" * 100_000, ["kein gültiges GeoJSON"]),
        (b'{"a":' * 100_000, ["kein gültiges GeoJSON"]),
        (b'{"type": "Feature"}', ["keine GeoJSON-FeatureCollection"]),
        (b'{"type": "FeatureCollection", "features": []}', ["enthält keine Objekte"]),
        (b"   ", ["Die Datei ist leer"]),
        (
            collection(feature({"type": "Point", "coordinates": [6.0, 50.0]}), feature(None)),
            ["Objekt 1:", "Point", "Objekt 2:", "Geometrietyp keine"],
        ),
        (
            collection(feature(square()), feature(square(7.0), name="Zwei")),
            ["Schlüssel „t1“ kommt mehrfach vor"],
        ),
        (collection(feature(square(lon=350000.0, lat=5650000.0))), ["außerhalb von WGS84"]),
        (collection(feature(square(), name="Bezirk\x1b[2J")), ["Steuerzeichen"]),
        (collection(feature(square(), code="c" * 51)), ["länger als 50 Zeichen"]),
        (
            json.dumps(
                {
                    "type": "FeatureCollection",
                    "crs": {"type": "name", "properties": {"name": "EPSG:25832"}},
                    "features": [feature(square())],
                }
            ).encode(),
            ["EPSG:25832"],
        ),
    ],
    ids=[
        "truncated",
        "not-utf8",
        "nested-arrays",
        "nested-objects",
        "not-a-collection",
        "no-features",
        "empty",
        "wrong-geometries",
        "duplicate-codes",
        "projected",
        "control-characters",
        "long-code",
        "other-crs",
    ],
)
def test_bad_files_are_refused_with_every_message_and_change_nothing(admin, before, raw, messages):
    page = refused(upload(admin, raw), "Die Datei wurde nicht übernommen", *messages)
    assert "<script" not in page.split("<main", 1)[1]
    assert snapshot() == before


def test_oversized_file_is_refused(admin, app, before, monkeypatch):
    raw = collection(feature(square()))
    monkeypatch.setitem(app.config, "DISTRICT_FILE_MAX_BYTES", len(raw) - 1)
    refused(upload(admin, raw), "größer als")
    assert snapshot() == before


def test_replace_keeps_districts_with_reports(admin, before, make_report):
    make_report()  # in Mitte
    refused(upload(admin, collection(feature(square())), replace="y"), "Mitte", "Meldungen")
    assert snapshot() == before
    assert db.session.scalar(select(Report)).district.code == "1"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name_field": ""}, "Bitte ausfüllen"),
        ({"code_field": "x" * 101}, "Höchstens 100 Zeichen"),
        ({"name_field": "na\x00me"}, "Steuerzeichen"),
    ],
)
def test_bad_form_fields_are_refused(admin, before, fields, message):
    refused(upload(admin, collection(feature(square())), **fields), message)
    assert snapshot() == before


def test_missing_file_is_refused(admin, before):
    refused(upload(admin, None), "Bitte eine Datei auswählen")
    assert db.session.scalar(select(District.code).where(District.code == "t1")) is None
