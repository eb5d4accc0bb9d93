"""GET /api/v1/map: reports and clusters in a viewport, as GeoJSON."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from app.map.service import feature_collection
from app.map.viewport import parse_viewport
from app.public.filters import FilterError, parse_filter
from app.replica import reads_replica

bp = Blueprint("map", __name__, url_prefix="/api/v1")


@bp.route("/map")
@reads_replica
def map_data():
    try:
        view = parse_viewport(request.args)
        flt = parse_filter(request.args)
    except FilterError as exc:
        return jsonify(error=str(exc), parameter=exc.parameter), 400
    response = jsonify(feature_collection(view, flt))
    response.cache_control.public = True
    response.cache_control.max_age = 30
    return response
