"""`flask addresses import FILE --format csv|gebref`: streamed, idempotent per source, only
points in the city (or a body's area), bad rows named by line and nothing changed."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Address, Street
from tests.addresses_support import houses, write_csv, write_gebref


def _import(app, path: Path, *args: str):
    return app.test_cli_runner().invoke(args=["addresses", "import", str(path), *args])


def _count(model: type, source: str | None = None) -> int:
    query = select(func.count()).select_from(model)
    if source is not None:
        query = query.where(model.source == source)  # type: ignore[attr-defined]
    return db.session.scalar(query) or 0


def test_csv_import_keeps_points_in_the_city_and_is_idempotent(app, tmp_path):
    rows = houses()
    path = write_csv(tmp_path / "a.csv", [*rows, ("Weit weg", "1", 52.52, 13.40)])
    first = _import(app, path, "--format", "csv")
    assert first.exit_code == 0, first.output
    assert f"{len(rows) + 1} gelesen, {len(rows)} im Stadtgebiet" in first.output
    assert (_count(Address), _count(Street)) == (len(rows), 3)
    again = _import(app, path, "--format", "csv")
    assert again.exit_code == 0 and (_count(Address), _count(Street)) == (len(rows), 3)
    house = db.session.scalars(
        select(Address).where(Address.street == "Kölner Straße", Address.number == 12)
    ).all()
    assert sorted(a.suffix for a in house) == ["", "a"] and house[0].postcode == "42651"


def test_a_source_is_replaced_and_others_stay(app, tmp_path):
    _import(app, write_csv(tmp_path / "a.csv", houses()), "--format", "csv")
    fewer = write_csv(tmp_path / "b.csv", houses(5)[:4])
    result = _import(app, fewer, "--format", "csv", "--source", "eigene-liste")
    assert result.exit_code == 0, result.output
    assert _count(Address, "eigene-liste") == 4
    assert _count(Address, "csv") == len(houses())
    _import(app, fewer, "--format", "csv")
    assert _count(Address, "csv") == 4


BROKEN = (
    "Kölner Straße,x,51.17,7.08,\n"  # line: no house number
    "Kölner Straße,3,91,7.08,\n"  # latitude out of range
    ",4,51.17,7.08,\n"  # no street
    "Kölner\x1bStraße,5,51.17,7.08,\n"  # control character
    "Kölner Straße,6,51.17,7.08,1234\n"  # no postcode
    "Kölner Straße,7,NaN,7.08,\n"
)


def test_broken_rows_are_named_by_line_and_change_nothing(app, tmp_path):
    _import(app, write_csv(tmp_path / "ok.csv", houses(3)), "--format", "csv")
    before = _count(Address)
    path = write_csv(tmp_path / "bad.csv", houses(2), extra=BROKEN)
    result = _import(app, path, "--format", "csv")
    assert result.exit_code == 1
    first_bad = len(houses(2)) + 2
    for offset in range(6):
        assert f"Zeile {first_bad + offset}:" in result.output
    assert "Nichts importiert." in result.output
    assert _count(Address) == before


def test_skip_bad_imports_the_good_rows_and_names_the_rest(app, tmp_path):
    path = write_csv(tmp_path / "bad.csv", houses(2), extra=BROKEN)
    result = _import(app, path, "--format", "csv", "--skip-bad")
    assert result.exit_code == 0, result.output
    assert result.output.count("Übersprungen: Zeile") == 6
    assert _count(Address) == len(houses(2))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("strasse;nr\nA;1\n", "Kopfzeile ohne Spalte"),
        ("", "keine Adressen"),
        ("street,number,lat,lon\n", "keine Adressen"),
    ],
)
def test_files_without_addresses_are_refused(app, tmp_path, content, message):
    path = tmp_path / "x.csv"
    path.write_text(content)
    result = _import(app, path, "--format", "csv")
    assert result.exit_code == 1 and message in result.output


def test_a_file_that_is_no_utf8_is_named(app, tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("street,number,lat,lon\nKölner Straße,1,51.17,7.08\n".encode("latin-1"))
    result = _import(app, path, "--format", "csv")
    assert result.exit_code == 1 and "Zeile 2:" in result.output


@pytest.mark.parametrize("with_names", [True, False])
def test_gebref_with_street_names_in_the_file_or_in_the_key_list(app, tmp_path, with_names):
    path = write_gebref(tmp_path, with_names)
    result = _import(app, path, "--format", "gebref")
    assert result.exit_code == 0, result.output
    assert _count(Address, "gebref") == len(houses(20))
    house = db.session.scalars(
        select(Address).where(Address.street == "Am Prüf-Weg", Address.number == 12)
    ).first()
    assert house is not None
    lat, lon = db.session.execute(
        select(func.ST_Y(Address.location), func.ST_X(Address.location)).where(
            Address.id == house.id
        )
    ).one()
    assert abs(lat - 51.1740) < 1e-5 or abs(lat - 51.17405) < 1e-5
    assert abs(lon - (7.0800 + 12 * 0.0002)) < 1e-5


def test_broken_gebref_lines_are_named(app, tmp_path):
    extra = ["N;DENW1;A;05;1;22", "N;X;A;05;1;22;000;0000;00001;1;;abc;5668000,000;X;2026-01-01"]
    extra.append("N;X;A;05;1;22;000;0000;00001;1;;32350000,000;1000,000;X;2026-01-01")
    path = write_gebref(tmp_path, True, extra)
    result = _import(app, path, "--format", "gebref")
    lines = len(houses(20))
    assert result.exit_code == 1
    assert f"Zeile {lines + 1}: Zu wenige Felder" in result.output
    assert f"Zeile {lines + 2}: Ostwert ist keine Zahl" in result.output
    assert f"Zeile {lines + 3}: Koordinate" in result.output
    assert _count(Address) == 0


def test_osm_through_the_command(app):
    city = Path(__file__).parent / "data" / "osm" / "city.osm"
    refused = _import(app, city, "--format", "osm")
    assert refused.exit_code == 1 and "OSM-" in refused.output and _count(Address) == 0
    result = _import(app, city, "--format", "osm", "--skip-bad")
    assert result.exit_code == 0, result.output
    assert _count(Address, "osm") > 0 and _count(Street, "osm") > 0
