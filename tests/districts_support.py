"""Helpers for the `flask districts import` tests (no tests here): GeoJSON builders, running
the command, and the check that a refused file changed nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import Result
from sqlalchemy import text

from app.extensions import db
from tests.factories import GEO, demo_districts

KOELN_BEZIRKE = GEO / "koeln-stadtbezirke.geojson"
SOLINGEN_NAMES = {f["properties"]["name"] for f in demo_districts()}


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


# Named apart from its function, so that the tests' `before` parameters do not shadow the import.
@pytest.fixture(name="before")
def districts_before() -> list[tuple[str, str, bytes]]:
    """The districts before the test's import: the five of the Solingen demo city."""
    state = snapshot()
    assert [code for code, _, _ in state] == ["1", "2", "3", "4", "5"]  # the Solingen demo city
    return state
