"""Readers for address files: each streams a file line by line and yields a Row per address or
a RowError naming the line. Coordinates are checked here; which points are kept (inside the
city or a body's area) is decided by the import (app.addresses.importing).

- csv: a header with street, number, lat, lon (optional postcode); UTF-8, comma or semicolon.
- gebref: Gebäudereferenzen NRW (Geobasis NRW, dl-de/zero-2-0): `gebref.txt`, semicolon
  separated, without header — NBA;OI;QUA;LAN;RBZ;KRS;GMD;OTT;SSS;HNR;ADZ;EAST;NORTH;STN;DATE —
  with EAST/NORTH in ETRS89/UTM32 (EPSG:4647: the east value carries the zone 32 in front) and
  decimal commas. Older deliveries have no street name (STN) in it: the names then come from the
  key list `gebref_schluessel.txt` (S;LAN;RBZ;KRS;GMD;SSS;NAME; G lines name the Gemeinden).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

from app.addresses.importing import Row, RowError
from app.addresses.normal import house_number, normalise
from app.coordinates import CoordinateError, parse_coordinate

CONTROL = re.compile(r"[\x00-\x1f\x7f]")
MAX_NAME = 200
POSTCODE = re.compile(r"^\d{5}$")
UTM32 = 25832
# EPSG:4647 east values are 32xxxxxx.xxx: the zone number in front of the 6-digit east value.
ZONE_PREFIX = 32_000_000


def street_name(raw: str) -> str:
    name = (raw or "").strip()
    if not name:
        raise ValueError("Der Straßenname fehlt.")
    if len(name) > MAX_NAME or CONTROL.search(name):
        raise ValueError(f"Ungültiger Straßenname (höchstens {MAX_NAME} Zeichen, eine Zeile).")
    return name


def postcode(raw: str | None) -> str | None:
    value = (raw or "").strip()
    if value and not POSTCODE.match(value):
        raise ValueError(f"Ungültige Postleitzahl {value[:10]!r}.")
    return value or None


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    """Lines of a UTF-8 file (with or without BOM); a line that is no UTF-8 is named."""
    with path.open("rb") as file:
        for number, raw in enumerate(file, start=1):
            try:
                line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError:
                yield number, "\x00"  # reported as a bad line by the reader
                continue
            yield number, line.rstrip("\r\n")


# --- csv -------------------------------------------------------------------------------------

CSV_COLUMNS = ("street", "number", "lat", "lon")


def read_csv(path: Path) -> Iterator[Row | RowError]:
    lines = _lines(path)
    first = next(lines, None)
    if first is None:
        return
    delimiter = ";" if first[1].count(";") > first[1].count(",") else ","
    header = [h.strip().lower() for h in next(csv.reader([first[1]], delimiter=delimiter))]
    missing = [c for c in CSV_COLUMNS if c not in header]
    if missing:
        yield RowError(
            1,
            f"Kopfzeile ohne Spalte(n) {', '.join(missing)}; erwartet: "
            "street, number, lat, lon (postcode optional).",
        )
        return
    for number, line in lines:
        if not line.strip():
            continue
        try:
            values = next(csv.reader(io.StringIO(line), delimiter=delimiter))
            yield _csv_row(number, dict(zip(header, values, strict=False)))
        except (ValueError, csv.Error, CoordinateError, StopIteration) as exc:
            yield RowError(number, str(exc) or "Zeile nicht lesbar.")


def _csv_row(line: int, values: dict[str, str]) -> Row:
    if "\x00" in "".join(values.values()):
        raise ValueError("Zeile ist kein UTF-8 oder enthält Steuerzeichen.")
    street = street_name(values.get("street", ""))
    number, suffix = house_number(values.get("number", ""))
    lat = parse_coordinate(values.get("lat", "").strip() or "-", -90, 90)
    lon = parse_coordinate(values.get("lon", "").strip() or "-", -180, 180)
    postcode_ = postcode(values.get("postcode"))
    return Row(line, street, normalise(street), number, suffix, postcode_, lon, lat)


# --- gebref ----------------------------------------------------------------------------------


def read_gebref_keys(path: Path | None) -> dict[str, str]:
    """Street key (LAN+RBZ+KRS+GMD+SSS) -> name from the S lines of gebref_schluessel.txt."""
    names: dict[str, str] = {}
    if path is None:
        return names
    for _number, line in _lines(path):
        parts = line.split(";")
        if len(parts) >= 7 and parts[0] == "S":
            names["".join(parts[1:6])] = parts[6].strip()
    return names


def read_gebref(path: Path, keys: Path | None = None) -> Iterator[Row | RowError]:
    names = read_gebref_keys(keys)
    for number, line in _lines(path):
        if not line.strip() or line.startswith("#"):
            continue
        try:
            yield _gebref_row(number, line.split(";"), names)
        except (ValueError, IndexError) as exc:
            yield RowError(number, str(exc) or "Zeile nicht lesbar.")


def _gebref_row(line: int, parts: list[str], names: dict[str, str]) -> Row:
    if len(parts) < 13 or "\x00" in parts[0]:
        raise ValueError("Zu wenige Felder (erwartet NBA;OI;…;HNR;ADZ;EAST;NORTH[;STN;DATUM]).")
    key = "".join(parts[3:7]) + parts[8]
    given = parts[13] if len(parts) > 13 else ""
    street = street_name(given or names.get(key, ""))
    number, suffix = house_number(parts[9] + parts[10])
    east, north = _utm(parts[11], "Ostwert"), _utm(parts[12], "Nordwert")
    if east > ZONE_PREFIX:
        east -= ZONE_PREFIX
    if not (100_000 < east < 900_000 and 5_000_000 < north < 6_500_000):
        raise ValueError(f"Koordinate {east:.0f}/{north:.0f} liegt nicht in UTM-Zone 32 (NRW).")
    return Row(line, street, normalise(street), number, suffix, None, east, north, UTM32)


def _utm(raw: str, what: str) -> float:
    try:
        return float(raw.strip().replace(",", "."))
    except ValueError:
        raise ValueError(f"{what} ist keine Zahl: {raw[:20]!r}.") from None
