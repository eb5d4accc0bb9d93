"""Open311 GeoReport v2 under /open311/v2/: each resource in XML and JSON, chosen by suffix."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, current_app, request, url_for
from flask_limiter.errors import RateLimitExceeded
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException

from app.errors import (
    DATABASE_UNAVAILABLE,
    MESSAGES,
    RETRY_AFTER_SECONDS,
    log_database_unavailable,
)
from app.extensions import db, limiter
from app.open311 import filing, keys, params, service, updates
from app.open311.formats import (
    FORMATS,
    render,
    render_errors,
    render_json_text,
    render_wrapped,
)
from app.open311.params import ApiError, optional, shown
from app.replica import reads_replica

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")
OTHER_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


@bp.get("/discovery.<fmt>")
@reads_replica
def discovery(fmt: str) -> Response:
    endpoint = url_for(".discovery", fmt=fmt, _external=True).rsplit("/", 1)[0]
    return render(fmt, "discovery", service.discovery(endpoint))


@bp.get("/services.<fmt>")
@reads_replica
def services(fmt: str) -> Response:
    return render(fmt, "services", service.services())


@bp.get("/services/<code>.<fmt>")
@reads_replica
def service_definition(code: str, fmt: str) -> Response:
    return render(fmt, "service_definition", service.service_definition(code))


@bp.get("/requests.<fmt>")
@reads_replica
def service_requests(fmt: str) -> Response:
    config = current_app.config
    codes = service.category_ids()
    found = params.request_filter(
        _values(),
        now=datetime.now(UTC),
        zone=_city_zone(),
        page_size=config["OPEN311_PAGE_SIZE"],
        known_codes=set(codes),
    )
    return render_json_text(fmt, "service_requests", service.find_requests(found, codes))


@bp.get("/requests/<request_id>.<fmt>")
@reads_replica
def service_request(request_id: str, fmt: str) -> Response:
    extensions = params.extensions_flag(_values())
    answer = service.find_request(request_id, extensions)
    return render_json_text(fmt, "service_requests", answer)


@bp.post("/requests.<fmt>")
@limiter.limit(keys.limit, key_func=keys.bucket)
def create_service_request(fmt: str) -> Response:
    values = _values()
    api_key = filing.check_api_key(keys.api_key())
    uploads = [f for f in request.files.getlist("media") if f and f.filename]
    filed = filing.file_request(values, uploads, api_key)
    answer = filing.filed_answer(filed)
    db.session.commit()
    return render(fmt, "service_requests", answer)


@bp.get("/servicerequestupdates.<fmt>")
@reads_replica
def service_request_updates(fmt: str) -> Response:
    start, end = params.update_period(_values(), now=datetime.now(UTC), zone=_city_zone())
    found = updates.find_updates(start, end, limit=current_app.config["OPEN311_PAGE_SIZE"])
    return render_wrapped(fmt, "service_request_updates", found)


@bp.post("/servicerequestupdates.<fmt>")
@limiter.limit(keys.limit, key_func=keys.bucket)
def post_service_request_update(fmt: str) -> Response:
    values = _values()
    api_key = updates.check_update_key(keys.api_key())
    update_id = updates.receive(api_key, updates.parse_update(values, _city_zone()))
    db.session.commit()
    return render_wrapped(fmt, "service_request_updates", [{"update_id": str(update_id)}])


@bp.get("/tokens/<token>.<fmt>")
def token(token: str, fmt: str) -> Response:
    return render(fmt, "service_requests", service.find_token(token))


@bp.route("/", defaults={"rest": ""}, methods=OTHER_METHODS)
@bp.route("/<path:rest>", methods=OTHER_METHODS)
def unknown(rest: str) -> Response:
    if _known_path():
        raise ApiError(405, ["Diese HTTP-Methode ist hier nicht erlaubt."])
    raise ApiError(404, ["Diese Adresse gibt es in der Open311-Schnittstelle nicht."])


@bp.before_request
def check_format_and_jurisdiction() -> None:
    fmt = (request.view_args or {}).get("fmt")
    if fmt is not None and fmt not in FORMATS:
        raise ApiError(404, [f"Unbekanntes Format {shown(fmt)}: erlaubt sind .json und .xml."])
    expected = current_app.config["OPEN311_JURISDICTION_ID"]
    given = optional(_values(), "jurisdiction_id")
    if given is not None and given.lower() != expected.lower():
        raise ApiError(404, [f"jurisdiction_id: Unbekannt; dieser Dienst gilt für {expected}."])


@bp.after_request
def allow_other_sites(response: Response) -> Response:
    # Public data: map apps of other sites may read it from the browser. Filing needs a key.
    if request.method in ("GET", "HEAD"):
        response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.errorhandler(ApiError)
def api_error(error: ApiError) -> Response:
    db.session.rollback()
    return render_errors(_format(), error.status, error.descriptions)


def database_unavailable(error: Exception) -> Response:
    """503 in Open311's format, for clients that cannot read an HTML page."""
    log_database_unavailable(error)
    response = render_errors(_format(), 503, [MESSAGES[503]])
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


for _error in DATABASE_UNAVAILABLE:
    bp.register_error_handler(_error, database_unavailable)


@bp.errorhandler(RateLimitExceeded)
def rate_limited(error: RateLimitExceeded) -> Response:
    message, wait = keys.too_many(error)
    response = render_errors(_format(), 429, [message])
    response.headers["Retry-After"] = str(wait)
    return response


def _city_zone() -> ZoneInfo:
    """Dates without an offset are the city's time (the spec leaves it to the server)."""
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def _format() -> str:
    fmt = (request.view_args or {}).get("fmt") or request.path.rsplit(".", 1)[-1]
    return fmt if fmt in FORMATS else "xml"


def _values() -> MultiDict:
    """Query and form parameters; a body too large or unreadable is a 400 like any bad input."""
    try:
        return request.values
    except HTTPException:
        config = current_app.config
        limits = f"höchstens {config['MAX_PHOTOS']} Fotos, je {config['MAX_PHOTO_BYTES'] >> 20} MB"
        raise ApiError(400, [f"Die Anfrage ist zu groß oder nicht lesbar ({limits})."]) from None


def _known_path() -> bool:
    """Whether another method would be served at this path (405 rather than 404)."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    for method in ("GET", "POST"):
        try:
            endpoint, _ = adapter.match(request.path, method=method)
        except HTTPException:
            continue
        if endpoint != "open311.unknown":
            return True
    return False
