"""`flask districts import`: bad files are refused with a German message and change nothing."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from app.extensions import db
from tests.districts_support import (
    KOELN_BEZIRKE,
    assert_refused,
    collection,
    districts_before,  # noqa: F401 - the `before` fixture
    feature,
    polygon,
    run_import,
    snapshot,
    square,
    write,
)

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
