"""Storing an address import: rows streamed from any format (app.addresses.formats) are copied
into a temporary table, then one set-based step replaces the source's addresses and streets,
keeping only points inside the city or a body's area. All in the caller's transaction: a file
with a bad row changes nothing (unless the caller skips bad rows)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy import text

from app.extensions import db

BATCH = 10_000
MAX_ERRORS = 50


@dataclass(frozen=True)
class Row:
    """One address (or, with number None, a named street) as a format read it."""

    line: int
    street: str
    street_norm: str
    number: int | None
    suffix: str
    postcode: str | None
    x: float  # longitude, or east in `srid`
    y: float
    srid: int = 4326


@dataclass(frozen=True)
class RowError:
    line: int
    message: str

    def __str__(self) -> str:
        return f"Zeile {self.line}: {self.message}"


class ImportRefused(Exception):
    """The file has bad rows (listed, at most MAX_ERRORS) or none at all; nothing changed."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("\n".join(messages))
        self.messages = messages


@dataclass
class ImportResult:
    read: int = 0
    kept: int = 0
    streets: int = 0
    skipped: list[str] = field(default_factory=list)

    @property
    def outside(self) -> int:
        return self.read - self.kept


STAGE = """
CREATE TEMPORARY TABLE address_import (
    street text, street_norm text, number int, suffix text, postcode text,
    x float8, y float8, srid int
) ON COMMIT DROP
"""
COPY = "COPY address_import (street, street_norm, number, suffix, postcode, x, y, srid) FROM STDIN"
# Points in 4326; kept when a district or a body's area covers them.
PLACE = """
CREATE TEMPORARY TABLE address_kept ON COMMIT DROP AS
SELECT i.street, i.street_norm, i.number, i.suffix, i.postcode, p.point, d.id AS district_id
FROM address_import AS i
CROSS JOIN LATERAL (
    SELECT ST_Transform(ST_SetSRID(ST_MakePoint(i.x, i.y), i.srid), 4326) AS point
) AS p
LEFT JOIN LATERAL (
    SELECT id FROM districts WHERE ST_Covers(geom, p.point) ORDER BY code, id LIMIT 1
) AS d ON true
WHERE d.id IS NOT NULL
   OR EXISTS (SELECT FROM bodies AS b WHERE ST_Covers(b.area, p.point))
"""
STREETS = """
INSERT INTO streets (source, name, name_norm, district_id, location)
SELECT :source, street, min(street_norm), district_id,
       -- the street's own point nearest the middle of its addresses
       ST_ClosestPoint(ST_Collect(point), ST_Centroid(ST_Collect(point)))
FROM address_kept GROUP BY street, district_id
"""
ADDRESSES = """
INSERT INTO addresses (source, street_id, street, number, suffix, postcode, district_id, location)
SELECT :source, s.id, k.street, k.number, k.suffix, k.postcode, k.district_id, k.point
FROM address_kept AS k
JOIN streets AS s ON s.source = :source AND s.name = k.street
                 AND s.district_id IS NOT DISTINCT FROM k.district_id
WHERE k.number IS NOT NULL
"""


def store(
    rows: Iterable[Row | RowError],
    source: str,
    skip_bad: bool = False,
    progress: Callable[[int], None] = lambda n: None,
) -> ImportResult:
    """Replace the addresses of `source` with `rows`; ImportRefused lists bad rows (all of
    them are read first, so one run names every problem) unless `skip_bad`."""
    session = db.session
    # Dropped at commit; a caller that imports twice in one transaction starts afresh.
    session.execute(text("DROP TABLE IF EXISTS address_import, address_kept"))
    session.execute(text(STAGE))
    result = ImportResult()
    errors: list[str] = []
    raw = session.connection().connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(COPY) as copy:  # type: ignore[union-attr]
        for row in rows:
            if isinstance(row, RowError):
                errors.append(str(row))
                continue
            copy.write_row(_values(row))
            result.read += 1
            if result.read % BATCH == 0:
                progress(result.read)
    if errors and not skip_bad:
        raise ImportRefused(errors[:MAX_ERRORS] + _more(errors))
    if not result.read:
        raise ImportRefused([*errors[:MAX_ERRORS], "Die Datei enthält keine Adressen."])
    result.skipped = errors
    params = {"source": source}
    session.execute(text("DELETE FROM addresses WHERE source = :source"), params)
    session.execute(text("DELETE FROM streets WHERE source = :source"), params)
    session.execute(text(PLACE))
    result.kept = session.scalar(text("SELECT count(*) FROM address_kept")) or 0
    result.streets = session.execute(text(STREETS), params).rowcount  # type: ignore[attr-defined]
    session.execute(text(ADDRESSES), params)
    session.execute(text("ANALYZE streets"))
    return result


def _values(row: Row) -> tuple:
    return (
        row.street,
        row.street_norm,
        row.number,
        row.suffix,
        row.postcode,
        row.x,
        row.y,
        row.srid,
    )


def _more(errors: list[str]) -> list[str]:
    hidden = len(errors) - MAX_ERRORS
    return [f"… und {hidden} weitere fehlerhafte Zeilen."] if hidden > 0 else []
