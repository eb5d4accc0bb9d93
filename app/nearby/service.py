"""Reports like the one a citizen is about to send: open reports of the same category within
SAME_RADIUS_M and of other categories within OTHER_RADIUS_M, newest first. Only what the public
may see: the cards (app.public.cards) carry the projection's text and photo."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text

from app.extensions import db
from app.models.status import OPEN_STATUSES, Status, sql_in
from app.public.cards import Card, cards

SAME_RADIUS_M, OTHER_RADIUS_M = 50, 150
LIMIT = 10
# The box around the point that holds OTHER_RADIUS_M at German latitudes (a degree of longitude
# is about 70 km here), so the GiST index finds the candidates before metres are measured.
BOX_DEGREES = 0.0025

NEARBY = text(
    f"""
    WITH here AS (SELECT ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) AS point)
    SELECT r.id, r.case_number, r.status, r.category_id = :category AS same,
           c.name_de AS category, r.created_at,
           ST_Distance(r.location::geography, here.point::geography) AS metres
    FROM reports r JOIN categories c ON c.id = r.category_id, here
    WHERE r.location && ST_Expand(here.point, {BOX_DEGREES})
      AND r.status IN ({sql_in(OPEN_STATUSES)})
      AND ST_DWithin(r.location::geography, here.point::geography,
                     CASE WHEN r.category_id = :category THEN {SAME_RADIUS_M}
                          ELSE {OTHER_RADIUS_M} END)
    ORDER BY (r.category_id = :category) DESC, r.created_at DESC, r.id DESC
    LIMIT {LIMIT}
    """
)


@dataclass(frozen=True)
class Nearby:
    case_number: str
    status: str
    category: str
    same_category: bool
    created_at: datetime
    metres: float
    card: Card

    @property
    def status_label(self) -> str:
        return Status(self.status).label


def nearby(lat: float, lon: float, category_id: int | None) -> list[Nearby]:
    """The similar open reports around a point; without a category, all within the wider
    radius. Same category first, then newest first."""
    rows = db.session.execute(NEARBY, {"lat": lat, "lon": lon, "category": category_id or -1})
    found = rows.all()
    shown = cards([row.id for row in found])
    return [
        Nearby(
            row.case_number,
            row.status,
            row.category,
            bool(row.same),
            row.created_at,
            float(row.metres),
            shown[row.id],
        )
        for row in found
    ]
