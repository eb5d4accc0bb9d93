"""GET /api/v1/nearby?lat=…&lon=…&category=CODE: similar open reports around a point, as JSON
for the report form's script and other apps."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from app.coordinates import CoordinateError, parse_coordinate
from app.extensions import db
from app.models import Category
from app.nearby.service import Nearby, nearby
from app.public.cards import age
from app.replica import reads_replica

bp = Blueprint("nearby", __name__, url_prefix="/api/v1/nearby")


@bp.get("")
@reads_replica
def find() -> Response | tuple[Response, int]:
    try:
        lat = parse_coordinate(request.args.get("lat", ""), -90, 90)
        lon = parse_coordinate(request.args.get("lon", ""), -180, 180)
    except CoordinateError as exc:
        return jsonify(error=str(exc), parameter="lat/lon"), 400
    code = request.args.get("category", "")
    category_id = category_of(code)
    if code and category_id is None:
        return jsonify(error=_("Unbekannte Kategorie."), parameter="category"), 400
    response = jsonify(reports=[as_json(found) for found in nearby(lat, lon, category_id)])
    response.cache_control.public = True
    response.cache_control.max_age = 30
    return response


def category_of(code: str) -> int | None:
    """The id of an active category by its code (the Open311 service code)."""
    if not code or len(code) > 50 or "\x00" in code:
        return None
    return db.session.scalar(select(Category.id).where(Category.code == code, Category.active))


def as_json(found: Nearby) -> dict:
    card = found.card
    return {
        "case_number": found.case_number,
        "url": url_for("public.report", case_number=found.case_number),
        # "Ich bin auch betroffen": support this one instead of filing a new report.
        "support_url": url_for("support.support", case_number=found.case_number),
        "support_count": card.support_count,
        "category": found.category,
        "same_category": found.same_category,
        "status": found.status,
        "status_label": found.status_label,
        "created_at": found.created_at.isoformat(),
        "age": age(found.created_at),
        "distance_m": round(found.metres),
        "place": card.place,
        "text": card.text,
        "thumbnail_url": url_for("public.photo", name=card.thumbnail) if card.thumbnail else None,
    }
