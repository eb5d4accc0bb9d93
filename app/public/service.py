"""Read-only queries for public pages. Nothing here touches personal data."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from app.extensions import db
from app.models import Category, District, Photo
from app.models.status import Status
from app.public.filters import CURRENT, RECENT_DAYS
from app.public.projection import photo_is_public


def city_outline() -> dict:
    """The union of all districts as GeoJSON, simplified to about 5 m for drawing."""
    geometry = db.session.scalar(
        select(
            func.ST_AsGeoJSON(
                func.ST_SimplifyPreserveTopology(func.ST_Union(District.geom), 0.00005), 6
            )
        )
    )
    feature: dict[str, object] = {
        "type": "Feature",
        "properties": {},
        "geometry": json.loads(geometry) if geometry else None,
    }
    return {"type": "FeatureCollection", "features": [feature] if geometry else []}


def city_bounds() -> list[float] | None:
    """[west, south, east, north] of all districts, for fitting the map."""
    box = db.session.execute(
        select(
            func.ST_XMin(func.ST_Extent(District.geom)),
            func.ST_YMin(func.ST_Extent(District.geom)),
            func.ST_XMax(func.ST_Extent(District.geom)),
            func.ST_YMax(func.ST_Extent(District.geom)),
        )
    ).one()
    return None if box[0] is None else [float(v) for v in box]


def public_photo(name: str) -> Photo | None:
    """A photo that may be shown to anyone: of a published report and not hidden."""
    if len(name) > 100:
        return None
    photo = db.session.scalar(
        select(Photo).where((Photo.filename == name) | (Photo.thumbnail == name))
    )
    return photo if photo is not None and photo_is_public(photo) else None


def filter_choices() -> dict:
    """Options for the filter forms of the map and the list."""
    return {
        "categories": db.session.execute(
            select(Category.code, Category.name_de)
            .where(Category.active)
            .order_by(Category.name_de)
        ).all(),
        "districts": db.session.execute(
            select(District.code, District.name).order_by(District.name)
        ).all(),
        "statuses": [
            (CURRENT, f"Offen und in den letzten {RECENT_DAYS} Tagen erledigt"),
            ("open", "Offen"),
            ("closed", "Abgeschlossen"),
        ]
        + [(s.value, s.label) for s in Status],
    }
