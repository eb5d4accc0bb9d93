"""OpenStreetMap reader for the address import: `.osm.pbf`, `.osm`, `.osm.bz2`/`.gz` (whatever
pyosmium reads) streamed object by object.

- Addresses: every node or way with `addr:housenumber` and `addr:street` (`addr:postcode`
  becomes the postcode). A node gives its location; a closed way (a building) the mean of its
  corners, an open way its middle node. "12;14" and "12-16" give one Row per number (a range
  whose ends are both even or both odd counts every second number, "12-16" is 12, 14, 16:
  the other side of a German street has the other numbers). Objects with `addr:place` instead
  of `addr:street` are not read; neither are relations (multipolygon buildings).
- Streets: named roads (HIGHWAYS, not footways, cycleways, tracks or paths) and named
  `place=square` give a Row with number None at their middle node (a square drawn as an area:
  the mean of its corners), so a street is found even where no address on it is mapped.

`line` of a Row or RowError is the OSM id of the object (nodes and ways have ids of their own,
so a RowError's message names the kind: "OSM-Weg 123: …"). Coordinates are WGS84 (x = lon).

Memory: ways carry only node ids, so the location of every node is kept while the file is read
(libosmium's `flex_mem` index: about 16 bytes per node of the file, e.g. some 50 MB for a city
extract of 3 million nodes). Rows themselves are streamed, never collected. Meant for a city or
Kreis extract (`osmium extract` cuts one out of a Land's file); a file of all Germany would need
gigabytes for the index.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import osmium
from osmium.osm import Node, Way

from app.addresses.formats import postcode
from app.addresses.importing import ImportRefused, Row, RowError
from app.addresses.normal import house_number, normalise

# Node location index of libosmium: in memory, sparse for an extract, dense for a large file.
LOCATIONS = "flex_mem"
MAX_NAME = 200
# At most this many numbers from one "12;14;…" or "2-40": more is a mapping error.
MAX_NUMBERS = 20
RANGE = re.compile(r"\s*(\d{1,5})\s*-\s*(\d{1,5})\s*")
# Roads a street name belongs to: not motorways, and not footways, cycleways, paths or tracks.
HIGHWAYS = frozenset(
    {
        "trunk",
        "primary",
        "secondary",
        "tertiary",
        "unclassified",
        "residential",
        "living_street",
        "pedestrian",
        "road",
        "service",
    }
)
# Named service roads are small access streets; these kinds of them are no streets.
NOT_STREETS = frozenset({"parking_aisle", "driveway", "drive-through", "emergency_access"})
# Unicode control characters, line and paragraph separators.
CONTROL = frozenset({"Cc", "Zl", "Zp"})
KIND = {"n": "OSM-Knoten", "w": "OSM-Weg"}


def read_osm(path: Path) -> Iterator[Row | RowError]:
    """Rows for the addresses and named streets of an OSM file; an unreadable or truncated file
    raises ImportRefused (rows read before the damage must not replace a city's addresses)."""
    processor = (
        osmium.FileProcessor(path, osmium.osm.NODE | osmium.osm.WAY)
        .with_locations(LOCATIONS)
        # Only tagged objects reach Python; the location index still sees every node.
        .with_filter(osmium.filter.KeyFilter("addr:housenumber", "highway", "place"))
    )
    try:
        for obj in processor:
            if isinstance(obj, Node | Way):
                yield from _rows(obj)
    except RuntimeError as exc:  # libosmium: open failed, PBF/XML error, bad compression
        raise ImportRefused([f"Die OSM-Datei ist nicht lesbar: {exc}"]) from exc


def _rows(obj: Node | Way) -> Iterator[Row | RowError]:
    tags = obj.tags
    street = (tags.get("addr:street") or "").strip()
    raw_number = (tags.get("addr:housenumber") or "").strip()
    rows: list[Row] = []  # the rows of this one object
    try:
        if street and raw_number:
            rows += _addresses(obj, street, raw_number, tags.get("addr:postcode"))
        name = (tags.get("name") or "").strip()
        if name and _is_street(obj):
            rows.append(_street(obj, name))
    except ValueError as exc:
        yield RowError(obj.id, f"{KIND[obj.type_str()]} {obj.id}: {exc}")
        return
    yield from rows


def _addresses(obj: Node | Way, street: str, raw_number: str, raw_code: str | None) -> list[Row]:
    name = _name(street)
    x, y = _area_point(obj)
    code = postcode(raw_code)
    return [
        Row(obj.id, name, normalise(name), number, suffix, code, x, y)
        for number, suffix in house_numbers(raw_number)
    ]


def _street(obj: Node | Way, raw: str) -> Row:
    name = _name(raw)
    tags = obj.tags
    if tags.get("place") == "square" or tags.get("area") == "yes":
        x, y = _area_point(obj)
    else:
        x, y = _line_point(obj)
    return Row(obj.id, name, normalise(name), None, "", None, x, y)


def _is_street(obj: Node | Way) -> bool:
    tags = obj.tags
    if tags.get("place") == "square":
        return True
    return (
        isinstance(obj, Way)
        and tags.get("highway") in HIGHWAYS
        and tags.get("service") not in NOT_STREETS
    )


def house_numbers(raw: str) -> list[tuple[int, str]]:
    """ "12a" -> [(12, "a")]; "12;14" -> 12 and 14; "12-16" -> 12, 14, 16; "12-13" -> 12, 13.
    ValueError (German) for anything else, e.g. "12a-c", "16-12" or "2-200"."""
    numbers: list[tuple[int, str]] = []
    for part in re.split(r"[;,]", raw):
        if not part.strip():
            continue
        span = RANGE.fullmatch(part)
        if span is None:
            numbers.append(house_number(part))
            continue
        first, last = int(span[1]), int(span[2])
        if first >= last:
            raise ValueError(f"Hausnummernbereich {part.strip()!r} ist nicht aufsteigend.")
        step = 2 if (last - first) % 2 == 0 else 1
        numbers += [(n, "") for n in range(first, min(last, first + step * MAX_NUMBERS) + 1, step)]
    unique = list(dict.fromkeys(numbers))
    if not unique:
        raise ValueError(f"keine Hausnummer: {raw[:20]!r}")
    if len(unique) > MAX_NUMBERS:
        raise ValueError(f"Mehr als {MAX_NUMBERS} Hausnummern in {raw[:40]!r}.")
    return unique


def _name(raw: str) -> str:
    if any(unicodedata.category(c) in CONTROL for c in raw):
        raise ValueError("Der Name enthält Steuerzeichen.")
    if len(raw) > MAX_NAME:
        raise ValueError(f"Der Name ist länger als {MAX_NAME} Zeichen.")
    return raw


def _area_point(obj: Node | Way) -> tuple[float, float]:
    """A node's location; a closed way's mean corner, an open way's middle node."""
    if isinstance(obj, Node):
        if not obj.location.valid():
            raise ValueError("Der Knoten hat keine gültige Lage.")
        return obj.location.lon, obj.location.lat
    if not obj.is_closed():
        return _line_point(obj)
    corners = _locations(obj, closed=True)
    if not corners:
        raise ValueError("Keiner der Knoten des Wegs ist in der Datei.")
    return sum(x for x, _ in corners) / len(corners), sum(y for _, y in corners) / len(corners)


def _line_point(obj: Node | Way) -> tuple[float, float]:
    """The middle one of a way's nodes (of those in the file): a point on the street."""
    if isinstance(obj, Node):
        return _area_point(obj)
    points = _locations(obj)
    if not points:
        raise ValueError("Keiner der Knoten des Wegs ist in der Datei.")
    return points[len(points) // 2]


def _locations(way: Way, closed: bool = False) -> list[tuple[float, float]]:
    """Locations of the way's nodes (a closed way's first node once). Nodes cut off by the
    extract have none; the rest of the way still counts."""
    nodes = way.nodes
    count = len(nodes) - 1 if closed else len(nodes)
    return [(n.lon, n.lat) for n in (nodes[i] for i in range(count)) if n.location.valid()]
