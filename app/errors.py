"""Error pages in German; JSON for the API paths."""

from __future__ import annotations

from flask import Flask, Response, current_app, jsonify, make_response, render_template, request
from flask.typing import ResponseValue
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import BadRequest, HTTPException

MESSAGES = {
    400: "Die Anfrage war fehlerhaft.",
    403: "Dafür fehlt die Berechtigung.",
    404: "Diese Seite gibt es nicht.",
    405: "Diese Aktion ist hier nicht möglich.",
    413: "Die gesendeten Daten sind zu groß. Bitte weniger oder kleinere Fotos anhängen.",
    429: "Zu viele Meldungen in kurzer Zeit. Bitte versuchen Sie es später noch einmal.",
    500: "Ein interner Fehler ist aufgetreten. Bitte versuchen Sie es später noch einmal.",
    503: "Der Dienst ist gerade nicht erreichbar. Bitte versuchen Sie es in einigen Minuten noch "
    "einmal.",
}
# The database is down, restarting or overloaded (connection refused or lost, pool exhausted):
# the same request may well work a little later, so 503 with Retry-After, not 500.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, PoolTimeoutError)
RETRY_AFTER_SECONDS = 30
# SQLSTATEs of a lost or refused connection, a server shutting down, too many connections.
UNAVAILABLE_STATES = ("08", "57P01", "57P02", "57P03", "53300")


def database_unavailable(error: Exception) -> bool:
    """Whether an OperationalError means the database cannot be reached. A deadlock, a
    serialization failure or a cancelled query is a bug to see in the log, not a 503."""
    if isinstance(error, PoolTimeoutError) or getattr(error, "connection_invalidated", False):
        return True
    state = getattr(getattr(error, "orig", None), "sqlstate", None)
    # A connection that never came about has no SQLSTATE at all.
    return state is None or state.startswith(UNAVAILABLE_STATES)


def _render(code: int, message: str) -> tuple[ResponseValue, int]:
    if request.path.startswith("/api/"):
        return jsonify(error=message), code
    return render_template("errors/error.html", code=code, message=message), code


def handle_http(error: HTTPException) -> tuple[ResponseValue, int]:
    code = error.code or 500
    return _render(code, _(MESSAGES.get(code, "Die Anfrage konnte nicht bearbeitet werden.")))


def handle_database_unavailable(error: Exception) -> Response:
    log_database_unavailable(error)
    response = make_response(_render(503, _(MESSAGES[503])))
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def log_database_unavailable(error: Exception) -> None:
    """Re-raises what is no outage (a 500 with its traceback); else logs one line per request:
    while the database is down a traceback each time says nothing new."""
    if not database_unavailable(error):
        raise error
    first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
    current_app.logger.error("Datenbank nicht erreichbar: %s: %s", type(error).__name__, first_line)


def handle_csrf(error: CSRFError) -> tuple[ResponseValue, int]:
    return _render(
        400,
        _(
            "Das Formular ist abgelaufen oder unvollständig (Sicherheitsmerkmal fehlt). "
            "Bitte laden Sie die Seite neu und senden Sie es noch einmal."
        ),
    )


class NulByte(BadRequest):
    description = "Die Anfrage enthält ein unzulässiges Nullzeichen."


def refuse_nul_bytes() -> None:
    """PostgreSQL text cannot hold NUL: a value with one would fail deep inside a query. Forms
    check their fields themselves (with a message next to the field), the APIs name the bad
    parameter in their own error format; addresses, query strings and the login form are
    refused here."""
    if request.path.startswith(("/open311/", "/api/")):
        return
    values = [request.path, *request.args.values()]
    if request.path == "/anmelden":
        values += request.form.values()
    if any("\x00" in value for value in values):
        raise NulByte


def handle_nul(error: NulByte) -> tuple[ResponseValue, int]:
    return _render(400, _("Die Anfrage enthält ein unzulässiges Nullzeichen."))


def init_app(app: Flask) -> None:
    app.before_request(refuse_nul_bytes)
    app.register_error_handler(NulByte, handle_nul)
    app.register_error_handler(CSRFError, handle_csrf)
    app.register_error_handler(HTTPException, handle_http)
    for error in DATABASE_UNAVAILABLE:
        app.register_error_handler(error, handle_database_unavailable)
