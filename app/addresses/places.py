"""A report's public place description, decided in SQL so the insert sets it in the same
statement: the nearest address within 50 m ("Kölner Straße 5a"), else the street of the nearest
address within 150 m or the nearest named street within 250 m ("Kölner Straße"), else the
Stadtteil. The form shows the same text as soon as the pin is set (`place_of`)."""

from __future__ import annotations

from sqlalchemy import text

from app.extensions import db

# Needs {point}: a geometry expression in 4326. KNN (<->) walks the GiST index in degrees; the
# distance in metres then decides.
PLACE_LATERAL = """
LATERAL (
    SELECT COALESCE(
        (SELECT CASE WHEN m <= 50 THEN a.street || ' ' || a.number || a.suffix
                     WHEN m <= 150 THEN a.street END
         FROM (SELECT street, number, suffix, ST_DistanceSphere(location, {point}) AS m
               FROM addresses ORDER BY location <-> {point} LIMIT 1) AS a),
        (SELECT s.name FROM (SELECT name, ST_DistanceSphere(location, {point}) AS m
                             FROM streets ORDER BY location <-> {point} LIMIT 1) AS s
         WHERE s.m <= 250),
        (SELECT d.name FROM districts AS d WHERE ST_Covers(d.geom, {point})
         ORDER BY d.code, d.id LIMIT 1)
    ) AS label
) AS {alias}
"""


def place_lateral(point: str, alias: str = "place") -> str:
    return PLACE_LATERAL.format(point=point, alias=alias)


PLACE_OF = text(
    "SELECT place.label FROM (SELECT ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) AS point) AS p, "
    + place_lateral("p.point")
)


def place_of(lat: float, lon: float) -> str | None:
    """The place description of a point (None outside the city and every address)."""
    return db.session.scalar(PLACE_OF, {"lat": lat, "lon": lon})
