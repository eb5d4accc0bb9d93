"""`flask districts import` beyond the format checks: importing the same file twice, --replace
(and the district it must not remove), hostile input (overlong names and codes, deep nesting), and
what ends up in the table."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select, text

from app.extensions import db
from app.models import Report
from tests.districts_support import (
    KOELN_BEZIRKE,
    SOLINGEN_NAMES,
    assert_refused,
    collection,
    district_count,
    districts_before,  # noqa: F401 - the `before` fixture
    feature,
    polygon,
    run_import,
    snapshot,
    square,
    write,
)
from tests.factories import demo_districts, inside_point

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


def test_replace_refuses_to_remove_a_district_with_reports(app, before, make_report):
    wald = next(f for f in demo_districts() if f["properties"]["code"] == "3")
    lat, lon = inside_point(wald)
    # Committed before the import (only releases the test's savepoint).
    filed = make_report(code="muell", at=(lat, lon), description="Sperrmüll am Waldrand.")
    assert filed.district.code == "3"

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
