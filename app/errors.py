"""Error pages in German; JSON for the API paths."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

MESSAGES = {
    400: "Die Anfrage war fehlerhaft.",
    403: "Dafür fehlt die Berechtigung.",
    404: "Diese Seite gibt es nicht.",
    405: "Diese Aktion ist hier nicht möglich.",
    413: "Die gesendeten Daten sind zu groß. Bitte weniger oder kleinere Fotos anhängen.",
    429: "Zu viele Meldungen in kurzer Zeit. Bitte versuchen Sie es später noch einmal.",
    500: "Ein interner Fehler ist aufgetreten. Bitte versuchen Sie es später noch einmal.",
}


def _render(code: int, message: str) -> tuple[object, int]:
    if request.path.startswith("/api/"):
        return jsonify(error=message), code
    return render_template("errors/error.html", code=code, message=message), code


def handle_http(error: HTTPException) -> tuple[object, int]:
    code = error.code or 500
    return _render(code, _(MESSAGES.get(code, "Die Anfrage konnte nicht bearbeitet werden.")))


def handle_csrf(error: CSRFError) -> tuple[object, int]:
    return _render(
        400,
        _(
            "Das Formular ist abgelaufen oder unvollständig (Sicherheitsmerkmal fehlt). "
            "Bitte laden Sie die Seite neu und senden Sie es noch einmal."
        ),
    )


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, handle_csrf)
    app.register_error_handler(HTTPException, handle_http)
