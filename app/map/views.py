"""GET /api/v1/map: reports and clusters in a viewport, as GeoJSON."""

from __future__ import annotations

import orjson
from flask import Blueprint, Response, jsonify, request

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
    # orjson: a few hundred features in well under a millisecond, where jsonify (sorted keys,
    # the json module) took several.
    response = Response(orjson.dumps(feature_collection(view, flt)), mimetype="application/json")
    response.cache_control.public = True
    response.cache_control.max_age = 30
    # Weak from the start: the compressed answer (app/compression.py) is the same GeoJSON in
    # other bytes. A client panning back to a viewport it has seen gets 304 and no body.
    response.add_etag(weak=True)
    return response.make_conditional(request)
