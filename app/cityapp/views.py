"""The city app's door: Solingen's Open SmartCity App files defects here as it would with a
Parse Server (docs/city-app-protocol.md). Mounted at CITY_APP_PATH; off unless
CITY_APP_APPLICATION_ID and CITY_APP_CLIENT_KEY are both set."""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from datetime import timedelta
from typing import TYPE_CHECKING

from flask import Blueprint, Flask, current_app, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_limiter.errors import RateLimitExceeded
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.wrappers import Response

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

from app.cityapp import protocol, service
from app.cityapp.protocol import ParseError
from app.extensions import csrf, db, limiter
from app.language import preferred_language
from app.media import storage
from app.media.images import PhotoError
from app.media.uploads import process_uploads
from app.public import legal
from app.reports import service as reports
from app.reports.rules import ReportRefused

bp = Blueprint("cityapp", __name__)
# The app has no idempotency key: the same report again within this time is the same report.
SAME_REPORT_WINDOW = timedelta(minutes=2)


def _report_limit() -> str:
    return current_app.config["RATELIMIT_REPORTS"]


def _filed(response: Response) -> bool:
    # 201 only: a report sent again after a timeout (200, the first one's number) is free.
    return response.status_code == 201


@bp.before_request
def check_keys() -> None:
    """Both keys configured and sent (header names in any case; no session token needed)."""
    config = current_app.config
    expected = (config["CITY_APP_APPLICATION_ID"], config["CITY_APP_CLIENT_KEY"])
    if not all(expected):
        raise ParseError(404, protocol.OBJECT_NOT_FOUND, "Die Stadt-App ist hier nicht angebunden.")
    given = (
        request.headers.get("X-Parse-Application-Id", ""),
        request.headers.get("X-Parse-Client-Key", ""),
    )
    if not all(
        hmac.compare_digest(a.encode(), b.encode()) for a, b in zip(given, expected, strict=True)
    ):
        raise ParseError(403, protocol.OPERATION_FORBIDDEN, "unauthorized")
    # Four phone photos in base64 need more than the site's other forms.
    request.max_content_length = config["CITY_APP_MAX_BODY"]


@bp.get("/classes/DefectFormContact")
def contacts() -> Response:
    """The categories to choose from (the app may ask for ?limit=1000: all of them)."""
    return jsonify(results=service.contacts())


@bp.post("/classes/DefectFormData")
@limiter.limit(_report_limit, deduct_when=_filed)
def file_defect() -> ResponseReturnValue:
    draft = protocol.draft(protocol.read_body(request.get_data(cache=False)))
    draft.language = preferred_language()
    try:
        filed = reports.submit(draft, same_within=SAME_REPORT_WINDOW)
    except ReportRefused as refused:
        raise ParseError(400, protocol.VALIDATION_ERROR, service.message(refused)) from None
    answer = {
        "objectId": filed.report.case_number,
        "createdAt": protocol.parse_date(filed.report.created_at),
    }
    db.session.commit()
    return jsonify(answer), 200 if filed.duplicate else 201


@bp.get("/config")
def app_config() -> Response:
    privacy = render_template("public/_privacy_text.html", custom=legal.custom_text("datenschutz"))
    return jsonify(params={"privacyText": privacy.strip()})


@bp.post("/files/<name>")
@limiter.limit(_report_limit)
def upload_file(name: str) -> ResponseReturnValue:
    """Part of the iOS module's interface, unused by its screens (reports carry their photos):
    the photo is checked and stored without metadata like any other. Nothing refers to it, so
    the worker's sweep removes it after a day."""
    # The photo pipeline reads no more than MAX_PHOTO_BYTES of the stream.
    upload = FileStorage(request.stream, filename=name[:80])
    try:
        photo = process_uploads([upload])[0]
    except PhotoError as exc:
        raise ParseError(400, protocol.VALIDATION_ERROR, str(exc)) from None
    stored = storage.save(photo.data)
    db.session.commit()
    url = f"{request.url_root.rstrip('/')}{current_app.config['CITY_APP_PATH']}/files/{stored}"
    return jsonify(name=stored, url=url), 201


@bp.route("/", defaults={"rest": ""}, methods=["GET", "POST", "PUT", "DELETE"])
@bp.route("/<path:rest>", methods=["GET", "POST", "PUT", "DELETE"])
def unknown(rest: str) -> ResponseReturnValue:
    raise ParseError(404, protocol.OBJECT_NOT_FOUND, "Diese Klasse gibt es hier nicht.")


@bp.errorhandler(ParseError)
def parse_error(error: ParseError) -> ResponseReturnValue:
    db.session.rollback()
    return jsonify(code=error.code, error=error.message), error.status


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error: HTTPException) -> ResponseReturnValue:
    megabytes = current_app.config["CITY_APP_MAX_BODY"] >> 20
    message = f"Die Meldung ist zu groß (höchstens {megabytes} MB mit allen Fotos)."
    return parse_error(ParseError(413, protocol.FILE_TOO_LARGE, message))


@bp.errorhandler(RateLimitExceeded)
def rate_limited(error: RateLimitExceeded) -> ResponseReturnValue:
    message = "Zu viele Meldungen in kurzer Zeit. Bitte versuchen Sie es später noch einmal."
    return parse_error(ParseError(429, protocol.REQUEST_LIMIT_EXCEEDED, message))


class MergeSlashes:
    """The app joins its root and paths with a slash of its own: /parse//classes/… is
    /parse/classes/… (a redirect would turn the app's POST into a failure)."""

    def __init__(self, wsgi_app: WSGIApplication, prefix: str) -> None:
        self.wsgi_app, self.prefix = wsgi_app, prefix.rstrip("/")

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if "//" in path:
            merged = "/" + "/".join(part for part in path.split("/") if part)
            if merged.startswith(self.prefix + "/"):
                environ["PATH_INFO"] = merged
        return self.wsgi_app(environ, start_response)


def init_app(app: Flask) -> None:
    prefix = "/" + app.config["CITY_APP_PATH"].strip("/")
    if prefix == "/":
        # The app's catch-all would answer every page of the site in Parse's format.
        raise ValueError("CITY_APP_PATH braucht einen eigenen Pfad, z. B. /parse")
    csrf.exempt(bp)  # an API for the app, not a form of ours
    app.register_blueprint(bp, url_prefix=prefix)
    app.wsgi_app = MergeSlashes(app.wsgi_app, prefix)  # type: ignore[method-assign]
