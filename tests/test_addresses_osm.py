"""The OpenStreetMap reader (app.addresses.osm) on a small hand-written OSM XML file
(tests/data/osm/city.osm, invented names inside the demo city), the same data as PBF, and the
import of its rows into the database."""

from __future__ import annotations

from pathlib import Path

import osmium
import pytest
from sqlalchemy import text
from sqlalchemy.orm import scoped_session

from app.addresses.importing import ImportRefused, Row, RowError, store
from app.addresses.osm import house_numbers, read_osm

CITY = Path(__file__).parent / "data" / "osm" / "city.osm"


def _read(path: Path) -> tuple[list[Row], dict[int, str]]:
    rows: list[Row] = []
    errors: dict[int, str] = {}
    for row in read_osm(path):
        if isinstance(row, RowError):
            errors[row.line] = row.message
        else:
            rows.append(row)
    return rows, errors


def _addresses(rows: list[Row]) -> dict[tuple[str, int, str], Row]:
    return {(r.street, r.number, r.suffix): r for r in rows if r.number is not None}


def _streets(rows: list[Row]) -> dict[str, Row]:
    return {r.street: r for r in rows if r.number is None}


def test_nodes_and_buildings_with_an_address_give_one_row_per_number() -> None:
    rows, _errors = _read(CITY)
    found = _addresses(rows)

    assert sorted(found) == [
        ("Beispielweg", 5, ""),
        ("Beispielweg", 7, ""),
        ("Beispielweg", 10, ""),
        ("Beispielweg", 12, ""),
        ("Beispielweg", 14, ""),
        ("Musterallee", 12, "/1"),
        ("Teststraße", 1, ""),
        ("Teststraße", 2, "a"),
        ("Teststraße", 3, "b"),  # "3 B", the street name with spaces around it
        ("Teststraße", 5, ""),  # the building way 100
    ]
    first = found[("Teststraße", 1, "")]
    assert (first.line, first.x, first.y, first.srid) == (1, 7.08, 51.17, 4326)
    assert (first.street_norm, first.postcode) == ("teststr", "42651")
    assert found[("Teststraße", 2, "a")].postcode is None
    # A list shares the object's place and postcode.
    seven = found[("Beispielweg", 7, "")]
    assert (seven.line, seven.x, seven.y, seven.postcode) == (4, 7.081, 51.171, "42653")
    # A building: the mean of its four corners.
    house = found[("Teststraße", 5, "")]
    assert house.line == 100
    assert house.x == pytest.approx(7.0792) and house.y == pytest.approx(51.1692)


def test_named_roads_and_squares_give_streets_without_number() -> None:
    rows, _errors = _read(CITY)
    streets = _streets(rows)

    # Not: the footway, cycleway, track, parking aisle, the unnamed road, a named bus stop.
    assert sorted(streets) == [
        "Hofweg",
        "Marktplatz am Test",
        "Randstraße",
        "Spielstraße am Test",
        "Testplatz",
        "Teststraße",
    ]
    road = streets["Teststraße"]
    assert (road.line, road.x, road.y, road.postcode) == (101, 7.08, 51.1702, None)  # middle node
    assert streets["Testplatz"].line == 30  # a square drawn as a node
    square = streets["Marktplatz am Test"]  # ... and as an area: its middle
    assert square.x == pytest.approx(7.0805) and square.y == pytest.approx(51.1773)
    # Node 99 of way 109 is missing from the file (cut off by the extract): the others count.
    assert (streets["Randstraße"].x, streets["Randstraße"].y) == (7.077, 51.1662)


def test_bad_objects_are_named_by_their_osm_id() -> None:
    _rows, errors = _read(CITY)

    assert errors == {
        7: "OSM-Knoten 7: keine Hausnummer: '12a-c'",
        8: "OSM-Knoten 8: Der Name enthält Steuerzeichen.",
        10: "OSM-Knoten 10: Ungültige Postleitzahl '4265'.",
        11: "OSM-Knoten 11: Der Name ist länger als 200 Zeichen.",
        13: "OSM-Knoten 13: keine Hausnummer: '18 1/2'",
        110: "OSM-Weg 110: Mehr als 20 Hausnummern in '1-99'.",
        111: "OSM-Weg 111: Keiner der Knoten des Wegs ist in der Datei.",
    }
    assert str(RowError(7, errors[7])).startswith("Zeile 7: OSM-Knoten 7:")


@pytest.mark.parametrize("suffix", [".osm.pbf", ".osm.bz2", ".osm.gz"])
def test_pbf_and_compressed_files_read_the_same(tmp_path: Path, suffix: str) -> None:
    converted = tmp_path / f"city{suffix}"
    with osmium.SimpleWriter(converted) as writer:
        for obj in osmium.FileProcessor(CITY):
            writer.add(obj)

    assert list(read_osm(converted)) == list(read_osm(CITY))


def test_control_characters_of_any_kind_are_refused(tmp_path: Path) -> None:
    # XML cannot carry most control characters; PBF can.
    path = tmp_path / "control.osm.pbf"
    with osmium.SimpleWriter(path) as writer:
        for number, name in enumerate(["Test\x01weg", "Test\x7fweg", "Test\u2028weg", "Testweg"]):
            writer.add_node(
                osmium.osm.mutable.Node(
                    id=number + 1,
                    location=(7.08, 51.17),
                    tags={"addr:street": name, "addr:housenumber": "1"},
                )
            )

    results = list(read_osm(path))

    assert [type(r) for r in results] == [RowError, RowError, RowError, Row]
    assert results[0] == RowError(1, "OSM-Knoten 1: Der Name enthält Steuerzeichen.")


@pytest.mark.parametrize(
    ("raw", "numbers"),
    [
        ("12", [(12, "")]),
        ("12a", [(12, "a")]),
        ("12 A", [(12, "a")]),
        ("12;14", [(12, ""), (14, "")]),
        ("12, 12a", [(12, ""), (12, "a")]),
        ("12;12", [(12, "")]),
        ("12;", [(12, "")]),
        ("12-16", [(12, ""), (14, ""), (16, "")]),  # one side of the street
        ("12 - 13", [(12, ""), (13, "")]),  # numbered round
        ("1-5;9", [(1, ""), (3, ""), (5, ""), (9, "")]),
    ],
)
def test_house_number_lists_and_ranges(raw: str, numbers: list[tuple[int, str]]) -> None:
    assert house_numbers(raw) == numbers


@pytest.mark.parametrize("raw", ["", ";", "12a-c", "12a-14", "16-12", "12-12", "1-99999", "x"])
def test_house_numbers_that_are_not_simple_are_refused(raw: str) -> None:
    with pytest.raises(ValueError):
        house_numbers(raw)


@pytest.mark.parametrize("content", [b"", b"not a pbf file", b"<osm version='0.6'><node id="])
def test_an_unreadable_file_is_refused_as_a_whole(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "broken.osm.pbf"
    path.write_bytes(content)

    with pytest.raises(ImportRefused, match="Die OSM-Datei ist nicht lesbar"):
        list(read_osm(path))


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ImportRefused, match="nicht lesbar"):
        list(read_osm(tmp_path / "missing.osm.pbf"))


def test_import_into_the_database(session: scoped_session) -> None:
    result = store(read_osm(CITY), "osm", skip_bad=True)

    assert (result.read, result.kept, len(result.skipped)) == (16, 16, 7)
    assert "Zeile 110: OSM-Weg 110: Mehr als 20 Hausnummern in '1-99'." in result.skipped
    addresses = session.execute(
        text(
            "SELECT street, number, suffix, postcode, ST_X(location), ST_Y(location)"
            " FROM addresses WHERE source = 'osm' ORDER BY street, number, suffix"
        )
    ).all()
    assert len(addresses) == 10
    assert tuple(addresses[-4]) == ("Teststraße", 1, "", "42651", 7.08, 51.17)
    streets = session.execute(
        text("SELECT name, name_norm FROM streets WHERE source = 'osm' ORDER BY name")
    ).all()
    assert [s.name for s in streets] == [
        "Beispielweg",
        "Hofweg",
        "Marktplatz am Test",
        "Musterallee",
        "Randstraße",
        "Spielstraße am Test",
        "Testplatz",
        "Teststraße",
    ]
    # Every address of a street hangs on that street's one row.
    orphans = session.scalar(
        text(
            "SELECT count(*) FROM addresses AS a JOIN streets AS s ON s.id = a.street_id"
            " WHERE a.source = 'osm' AND s.name <> a.street"
        )
    )
    assert orphans == 0


def test_import_refuses_a_file_with_bad_objects_unless_told(session: scoped_session) -> None:
    with pytest.raises(ImportRefused) as refused:
        store(read_osm(CITY), "osm")

    assert "Zeile 8: OSM-Knoten 8: Der Name enthält Steuerzeichen." in refused.value.messages
    assert session.scalar(text("SELECT count(*) FROM addresses WHERE source = 'osm'")) == 0
