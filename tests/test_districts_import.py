"""`flask districts import`: bad files are refused with a German message and change nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import Result
from sqlalchemy import select, text

from app.extensions import db
from app.models import Report
from app.reports.service import NewReport, file_report
from tests.factories import GEO, demo_districts, inside_point
from tests.helpers import category_id

KOELN_BEZIRKE = GEO / "koeln-stadtbezirke.geojson"
SOLINGEN_NAMES = {f["properties"]["name"] for f in demo_districts()}


# --- builders and checks ------------------------------------------------------------------------


def square(lon: float = 6.0, lat: float = 50.0, size: float = 0.01) -> list:
    """Coordinates of a square polygon (one exterior ring, counter-clockwise)."""
    return [
        [
            [lon, lat],
            [lon + size, lat],
            [lon + size, lat + size],
            [lon, lat + size],
            [lon, lat],
        ]
    ]


def polygon(lon: float = 6.0, lat: float = 50.0, size: float = 0.01) -> dict:
    return {"type": "Polygon", "coordinates": square(lon, lat, size)}


def feature(geometry: dict | None, name: str | None = "Testbezirk", code: str | None = "t1"):
    properties = {}
    if name is not None:
        properties["name"] = name
    if code is not None:
        properties["code"] = code
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def write(tmp_path: Path, content: str | bytes | dict, filename: str = "bezirke.geojson") -> Path:
    path = tmp_path / filename
    if isinstance(content, dict):
        content = json.dumps(content)
    if isinstance(content, str):
        content = content.encode()
    path.write_bytes(content)
    return path


def collection(*features: dict, **members: object) -> dict:
    return {"type": "FeatureCollection", **members, "features": list(features)}


def run_import(app, path: Path, *options: str, name: str = "name", code: str = "code") -> Result:
    args = ["districts", "import", str(path), "--name-field", name, "--code-field", code]
    return app.test_cli_runner().invoke(args=[*args, *options])


def snapshot() -> list[tuple[str, str, bytes]]:
    """Every district as (code, name, EWKB of the geometry), ordered by code."""
    rows = db.session.execute(
        text("SELECT code, name, ST_AsEWKB(geom) FROM districts ORDER BY code")
    ).all()
    return [(code, name, bytes(geom)) for code, name, geom in rows]


def district_count() -> int:
    return db.session.execute(text("SELECT count(*) FROM districts")).scalar_one()


def assert_refused(result: Result, before: list, *keywords: str) -> str:
    """Exit code 1 through the command's own error path (not a crash), the message names every
    keyword, and the districts are exactly as before. Returns the error output."""
    assert result.exit_code == 1, result.output
    # A clean refusal ends with click's Exit (a SystemExit); an uncaught exception is kept as is.
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    errors = result.stderr
    assert errors.startswith("Fehler: "), errors
    for keyword in keywords:
        assert keyword in errors, f"{keyword!r} not in {errors!r}"
    assert "angelegt" not in result.stdout
    assert snapshot() == before
    assert district_count() == len(before)
    return errors


@pytest.fixture
def before() -> list[tuple[str, str, bytes]]:
    state = snapshot()
    assert [code for code, _, _ in state] == ["1", "2", "3", "4", "5"]  # the Solingen demo city
    return state


# --- invalid geometry ---------------------------------------------------------------------------

BOW_TIE = {
    "type": "Polygon",
    "coordinates": [[[6.0, 50.0], [6.01, 50.01], [6.01, 50.0], [6.0, 50.01], [6.0, 50.0]]],
}


def test_self_intersecting_polygon_is_refused_with_hint_to_repair(app, tmp_path, before):
    path = write(tmp_path, collection(feature(BOW_TIE, name="Schleife", code="bt")))
    errors = assert_refused(
        run_import(app, path), before, "Objekt 1", "„Schleife“", "ungültige Geometrie", "--repair"
    )
    assert "Self-intersection" in errors  # the reason from GEOS is passed on


def test_self_intersecting_polygon_is_imported_valid_with_repair(app, tmp_path, before):
    path = write(tmp_path, collection(feature(BOW_TIE, name="Schleife", code="bt")))
    result = run_import(app, path, "--repair")
    assert result.exit_code == 0, result.output
    assert "Repariert: Schleife" in result.stdout
    assert "1 Bezirke angelegt, 0 aktualisiert, 0 entfernt." in result.stdout
    valid, kind, parts, area = db.session.execute(
        text(
            "SELECT ST_IsValid(geom), GeometryType(geom), ST_NumGeometries(geom), ST_Area(geom) "
            "FROM districts WHERE code = 'bt'"
        )
    ).one()
    assert valid is True
    assert kind == "MULTIPOLYGON"
    assert parts == 2  # the bow-tie becomes its two triangles
    assert area == pytest.approx(0.01 * 0.01 / 2)
    assert snapshot()[:5] == before  # the existing districts are untouched


# --- wrong geometry types -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("geometry", "kind"),
    [
        ({"type": "Point", "coordinates": [6.0, 50.0]}, "Point"),
        ({"type": "LineString", "coordinates": [[6.0, 50.0], [6.01, 50.01]]}, "LineString"),
        (None, "keine"),
    ],
    ids=["point", "linestring", "null"],
)
def test_non_polygon_geometry_is_refused_naming_the_type(app, tmp_path, before, geometry, kind):
    path = write(tmp_path, collection(feature(geometry, name="Haltestelle", code="p1")))
    assert_refused(
        run_import(app, path),
        before,
        "Objekt 1",
        "„Haltestelle“",
        f"Geometrietyp {kind}",
        "Polygon und MultiPolygon",
    )


# --- broken files -------------------------------------------------------------------------------


def test_truncated_file_is_not_valid_json(app, tmp_path, before):
    raw = KOELN_BEZIRKE.read_bytes()
    path = write(tmp_path, raw[: len(raw) // 2])
    assert_refused(run_import(app, path), before, "kein gültiges GeoJSON/JSON")


def test_file_that_is_not_utf8_is_not_valid_json(app, tmp_path, before):
    path = write(tmp_path, json.dumps(collection()).encode() + b"\xff\xfe")
    assert_refused(run_import(app, path), before, "kein gültiges GeoJSON/JSON")


@pytest.mark.parametrize(
    "content",
    [
        feature(polygon()),  # a single Feature
        polygon(),  # a bare geometry
        [feature(polygon())],  # a plain list of features
        {"type": "featurecollection", "features": [feature(polygon())]},
        "null",
    ],
    ids=["feature", "geometry", "list", "lowercase-type", "null"],
)
def test_json_that_is_not_a_feature_collection_is_refused(app, tmp_path, before, content):
    raw = content if isinstance(content, str) else json.dumps(content)
    path = write(tmp_path, raw)
    assert_refused(run_import(app, path), before, "keine GeoJSON-FeatureCollection")


@pytest.mark.parametrize(
    "content",
    [collection(), {"type": "FeatureCollection"}, {"type": "FeatureCollection", "features": {}}],
    ids=["empty", "no-features-member", "features-not-a-list"],
)
def test_feature_collection_without_features_is_refused(app, tmp_path, before, content):
    path = write(tmp_path, content)
    assert_refused(run_import(app, path), before, "enthält keine Objekte")


# --- per-feature problems: all or nothing -------------------------------------------------------


def test_missing_name_in_one_feature_names_the_feature_and_imports_nothing(app, tmp_path, before):
    path = write(
        tmp_path,
        collection(
            feature(polygon(6.0), name="Erster", code="n1"),
            feature(polygon(6.1), name=None, code="n2"),
            feature(polygon(6.2), name="Dritter", code="n3"),
        ),
    )
    errors = assert_refused(run_import(app, path), before, "Objekt 2", "„name“", "fehlt")
    # Exactly one problem: features 1 and 3 were fine, and still nothing was imported.
    assert errors.count("Fehler: ") == 1
    assert "Objekt 1" not in errors and "Objekt 3" not in errors


def test_every_bad_feature_is_reported_at_once(app, tmp_path, before):
    path = write(
        tmp_path,
        collection(
            feature(polygon(6.0), name="  ", code="e1"),
            feature(polygon(6.1), name="Gut", code="e2"),
            feature({"type": "Point", "coordinates": [6.2, 50.0]}, name="Punkt", code="e3"),
            feature(polygon(6.3), name="Ohne Schlüssel", code=None),
        ),
    )
    errors = assert_refused(run_import(app, path), before, "Objekt 1", "Objekt 3", "Objekt 4")
    assert errors.count("Fehler: ") == 3
    assert "„code“ fehlt" in errors


def test_duplicate_codes_are_refused(app, tmp_path, before):
    path = write(
        tmp_path,
        collection(
            feature(polygon(6.0), name="Nord", code="7"),
            feature(polygon(6.1), name="Süd", code="7"),
        ),
    )
    errors = assert_refused(run_import(app, path), before, "Schlüssel „7“", "mehrfach")
    assert errors.count("Fehler: ") == 1


def test_projected_coordinates_are_refused_as_outside_wgs84(app, tmp_path, before):
    # UTM/Gauß-Krüger metres instead of degrees, the classic mistake with official city data.
    utm = {"type": "Polygon", "coordinates": square(2350000.0, 5650000.0, 1000.0)}
    path = write(tmp_path, collection(feature(utm, name="Metrisch", code="m1")))
    assert_refused(
        run_import(app, path), before, "Objekt 1", "„Metrisch“", "außerhalb von WGS84", "EPSG:4326"
    )


@pytest.mark.parametrize(
    "crs_name", ["urn:ogc:def:crs:EPSG::25832", "EPSG:25832"], ids=["urn", "short"]
)
def test_crs_member_naming_another_system_is_refused(app, tmp_path, before, crs_name):
    # The coordinates themselves look like degrees: the declared CRS alone must stop the import.
    crs = {"type": "name", "properties": {"name": crs_name}}
    path = write(tmp_path, collection(feature(polygon()), crs=crs))
    assert_refused(run_import(app, path), before, "Koordinatensystem", "25832", "EPSG:4326")


def test_crs_member_naming_wgs84_is_accepted(app, tmp_path, before):
    crs = {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}
    path = write(tmp_path, collection(feature(polygon(), name="Mit CRS", code="c1"), crs=crs))
    result = run_import(app, path)
    assert result.exit_code == 0, result.output
    assert ("c1", "Mit CRS") in {(code, name) for code, name, _ in snapshot()}


# --- idempotence and --replace ------------------------------------------------------------------


def test_importing_the_same_file_twice_changes_nothing_the_second_time(app, before):
    first = run_import(app, KOELN_BEZIRKE, name="STB_NAME", code="STB_NR")
    assert first.exit_code == 0, first.output
    # Köln's Stadtbezirke are numbered 1..9: 1..5 replace the Solingen rows of the same code.
    assert "4 Bezirke angelegt, 5 aktualisiert, 0 entfernt." in first.stdout
    after_first = snapshot()
    assert len(after_first) == 9
    assert {name for _, name, _ in after_first} == {
        f["properties"]["STB_NAME"] for f in json.loads(KOELN_BEZIRKE.read_text())["features"]
    }

    second = run_import(app, KOELN_BEZIRKE, name="STB_NAME", code="STB_NR")
    assert second.exit_code == 0, second.output
    assert "0 Bezirke angelegt, 9 aktualisiert, 0 entfernt." in second.stdout
    assert snapshot() == after_first
    assert district_count() == 9


def test_replace_removes_districts_that_are_not_in_the_file(app, before):
    # Codes from the names: Köln's numbers 1..5 would collide with Solingen's codes.
    result = run_import(app, KOELN_BEZIRKE, "--replace", name="STB_NAME", code="STB_NAME")
    assert result.exit_code == 0, result.output
    assert "9 Bezirke angelegt, 0 aktualisiert, 5 entfernt." in result.stdout
    names = {name for _, name, _ in snapshot()}
    assert len(names) == 9
    assert "Innenstadt" in names and "Mülheim" in names
    assert not names & SOLINGEN_NAMES
    # The routing rule of Solingen district 4 went with it (ON DELETE CASCADE).
    assert db.session.execute(text("SELECT count(*) FROM routing_rules")).scalar_one() == 0


def test_replace_refuses_to_remove_a_district_with_reports(app, before):
    wald = next(f for f in demo_districts() if f["properties"]["code"] == "3")
    lat, lon = inside_point(wald)
    filed = file_report(NewReport(category_id("muell"), "Sperrmüll am Waldrand.", lat, lon), [])
    db.session.commit()  # committed before the import (only releases the test's savepoint)
    assert filed.report.district.code == "3"

    result = run_import(app, KOELN_BEZIRKE, "--replace", name="STB_NAME", code="STB_NAME")
    errors = assert_refused(
        result, before, "Bezirk „Wald“ (3)", "1 Meldungen", "kann nicht entfernt werden"
    )
    assert errors.count("Fehler: ") == 1  # only the district with a report is named
    report = db.session.scalars(select(Report)).one()
    assert report.district.code == "3" and report.district.name == "Wald"


# --- hostile input ------------------------------------------------------------------------------


def test_overlong_name_is_refused_with_a_short_message(app, tmp_path, before):
    path = write(tmp_path, collection(feature(polygon(), name="A" * 10_000, code="x1")))
    errors = assert_refused(
        run_import(app, path), before, "Objekt 1", "„name“", "länger als 200 Zeichen"
    )
    assert len(errors) < 500  # the 10,000 characters are not echoed back


def test_name_of_exactly_200_characters_is_accepted(app, tmp_path, before):
    path = write(tmp_path, collection(feature(polygon(), name="B" * 200, code="x2")))
    result = run_import(app, path)
    assert result.exit_code == 0, result.output
    assert ("x2", "B" * 200) in {(code, name) for code, name, _ in snapshot()}


def test_overlong_code_is_refused_not_truncated(app, tmp_path, before):
    path = write(tmp_path, collection(feature(polygon(), name="Lang", code="K" * 60)))
    assert_refused(run_import(app, path), before, "Objekt 1", "„code“", "länger als")


@pytest.mark.parametrize(
    "raw",
    [
        "[" * 100_000,
        '{"a":' * 100_000,
        json.dumps(collection(feature(polygon()), crs={"type": "name", "properties": "x"})),
        json.dumps(
            collection(feature(polygon()), crs={"type": "name", "properties": {"name": ["x"]}})
        ),
    ],
    ids=["nested-arrays", "nested-objects", "crs-properties-string", "crs-name-list"],
)
def test_hostile_json_is_refused_cleanly_not_a_crash(app, tmp_path, before, raw):
    path = write(tmp_path, raw)
    assert_refused(run_import(app, path), before)


def test_coordinates_with_altitude_are_imported_as_2d(app, tmp_path, before):
    ring = [[*position, 120.0] for position in square()[0]]
    path = write(tmp_path, collection(feature({"type": "Polygon", "coordinates": [ring]})))
    result = run_import(app, path)
    assert result.exit_code == 0, result.output
    dims = db.session.execute(text("SELECT ST_NDims(geom) FROM districts WHERE code = 't1'"))
    assert dims.scalar_one() == 2


# --- what is stored ------------------------------------------------------------------------------


def test_multipolygon_is_stored_as_multipolygon_in_wgs84(app, tmp_path, before):
    two_parts = {"type": "MultiPolygon", "coordinates": [square(6.0), square(6.1)]}
    path = write(
        tmp_path,
        collection(
            feature(two_parts, name="Zweiteilig", code="mp"),
            feature(polygon(6.2), name="Einteilig", code="sp"),
        ),
    )
    result = run_import(app, path)
    assert result.exit_code == 0, result.output
    assert "2 Bezirke angelegt, 0 aktualisiert, 0 entfernt." in result.stdout
    rows = db.session.execute(
        text(
            "SELECT code, name, ST_SRID(geom), GeometryType(geom), ST_NumGeometries(geom), "
            "ST_IsValid(geom) FROM districts WHERE code IN ('mp', 'sp') ORDER BY code"
        )
    ).all()
    assert [tuple(row) for row in rows] == [
        ("mp", "Zweiteilig", 4326, "MULTIPOLYGON", 2, True),
        ("sp", "Einteilig", 4326, "MULTIPOLYGON", 1, True),  # a Polygon is stored as MULTI too
    ]
    assert district_count() == 7


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Nord\x00", "Steuerzeichen"),
        ("Süd\x1b[31m", "Steuerzeichen"),
        ({"de": "Nord"}, "Text oder eine ganze Zahl"),
        (1.5, "Text oder eine ganze Zahl"),
        (True, "Text oder eine ganze Zahl"),
    ],
)
def test_names_must_be_plain_text(app, tmp_path, before, name, message):
    path = write(tmp_path, collection(feature(polygon(), name=name, code="x9")))
    assert_refused(run_import(app, path), before, "Objekt 1", "„name“", message)


def test_numeric_codes_are_accepted(app, tmp_path, before):
    path = write(tmp_path, collection(feature(polygon(), name="Zahl", code=42)))
    assert run_import(app, path).exit_code == 0
    assert ("42", "Zahl") in {(code, name) for code, name, _ in snapshot()}
