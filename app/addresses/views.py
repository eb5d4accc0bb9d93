"""GET /api/v1/adressen?q=… (the address search) and GET /api/v1/adressen/ort?lat=…&lon=…
(the place description of a pin), as JSON for the form's script and other apps."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request
from flask_babel import gettext as _

from app.addresses.places import place_of
from app.addresses.search import MAX_QUERY, search
from app.coordinates import CoordinateError, parse_coordinate
from app.replica import reads_replica

bp = Blueprint("addresses", __name__, url_prefix="/api/v1/adressen")


@bp.get("")
@reads_replica
def find() -> Response | tuple[Response, int]:
    typed = request.args.get("q", "")
    if len(typed) > MAX_QUERY or "\x00" in typed:
        return jsonify(error=_("Bitte höchstens %(n)d Zeichen.", n=MAX_QUERY), parameter="q"), 400
    response = jsonify([c.as_json() for c in search(typed)])
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return response


@bp.get("/ort")
@reads_replica
def place() -> Response | tuple[Response, int]:
    try:
        lat = parse_coordinate(request.args.get("lat", ""), -90, 90)
        lon = parse_coordinate(request.args.get("lon", ""), -180, 180)
    except CoordinateError as exc:
        return jsonify(error=str(exc), parameter="lat/lon"), 400
    return jsonify(label=place_of(lat, lon))
