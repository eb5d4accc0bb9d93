"""The address search: streets by trigram similarity of their normal form (so "Kölner Str 5",
"koelner strasse 5" and "Kölnerstr. 5" find the same house), then the house number on the best
streets, then Stadtteile by name — which is all the demo city has without an address import."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import text

from app.addresses.normal import normalise, parse_query
from app.extensions import db

LIMIT = 10
MAX_QUERY = 100

# Streets like the query (similar as a whole, or the query like a part of the name: "koeln"
# while typing), best first; on the best ones the house asked for, else its nearest number.
STREETS = text(
    """
    SELECT s.name AS street, a.number, a.suffix, a.postcode, d.name AS district,
           ST_Y(COALESCE(a.location, s.location)) AS lat,
           ST_X(COALESCE(a.location, s.location)) AS lon
    FROM (SELECT id, name, district_id, location,
                 -- a name that begins with what was typed first: people type from the start
                 starts_with(name_norm, :q) AS begins,
                 greatest(similarity(name_norm, :q), word_similarity(:q, name_norm)) AS score
          FROM streets
          WHERE name_norm % :q OR :q <% name_norm
          ORDER BY begins DESC, score DESC, length(name_norm), name
          LIMIT :limit) AS s
    LEFT JOIN LATERAL (
        SELECT number, suffix, postcode, location FROM addresses
        WHERE street_id = s.id AND CAST(:number AS int) IS NOT NULL
        ORDER BY number = :number DESC, suffix = :suffix DESC, abs(number - :number), suffix
        LIMIT 1
    ) AS a ON true
    LEFT JOIN districts AS d ON d.id = s.district_id
    ORDER BY s.begins DESC, s.score DESC,
             (a.number = :number AND a.suffix = :suffix) DESC NULLS LAST,
             length(s.name), s.name
    """
)
DISTRICTS = text(
    """
    SELECT NULL AS street, NULL AS number, NULL AS suffix, NULL AS postcode, d.name AS district,
           ST_Y(ST_PointOnSurface(d.geom)) AS lat, ST_X(ST_PointOnSurface(d.geom)) AS lon
    FROM districts AS d
    WHERE similarity(lower(d.name), lower(:text)) > 0.3 OR lower(d.name) LIKE lower(:prefix)
    ORDER BY similarity(lower(d.name), lower(:text)) DESC, d.name
    LIMIT :limit
    """
)


@dataclass(frozen=True)
class Candidate:
    label: str
    kind: str  # "address", "street" or "district"
    street: str | None
    number: str | None
    postcode: str | None
    district: str | None
    lat: float
    lon: float

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def search(raw: str, limit: int = LIMIT) -> list[Candidate]:
    """At most `limit` places for what someone typed; [] for too short or too long a text."""
    typed = " ".join(raw.split())[:MAX_QUERY]
    query = parse_query(typed)
    if len(query.street) < 3:
        return []
    params = {"q": query.street, "number": query.number, "suffix": query.suffix, "limit": limit}
    found = [_candidate(row) for row in db.session.execute(STREETS, params).mappings()]
    if len(found) < limit:
        prefix = typed.replace("%", "").replace("_", "") + "%"
        rows = db.session.execute(DISTRICTS, {"text": typed, "prefix": prefix, "limit": limit})
        found += [_candidate(row) for row in rows.mappings()]
    return found[:limit]


def _candidate(row: Any) -> Candidate:
    number = f"{row['number']}{row['suffix']}" if row["number"] is not None else None
    if row["street"] is None:
        kind, label = "district", row["district"]
    elif number is None:
        kind, label = "street", row["street"]
    else:
        kind, label = "address", f"{row['street']} {number}"
    if row["district"] and kind != "district":
        label = f"{label}, {row['district']}"
    return Candidate(
        label, kind, row["street"], number, row["postcode"], row["district"], row["lat"], row["lon"]
    )


def exact(raw: str) -> Candidate | None:
    """The one place an Open311 address_string names: the best candidate, if it is a house with
    the number asked for (or the street, when no number was given)."""
    query = parse_query(" ".join(raw.split())[:MAX_QUERY])
    found = [c for c in search(raw, limit=1) if c.kind != "district"]
    if not found:
        return None
    best = found[0]
    wanted = f"{query.number}{query.suffix}" if query.number is not None else None
    if wanted is not None and best.number != wanted:
        return None
    if normalise(best.street or "") != query.street and query.number is None:
        return None
    return best
