"""The staff area as an installable app that keeps working without signal: its manifest, its
service worker (templates/staff/sw.js, with static/js/offline-queue.js and offline.js) and the
headers they rely on. What is cached and queued, and why the worker is hand-written, is told
in the README ("Offline for crews").

Both addresses are public and outside /staff on purpose (not even starting with "/staff": the
login guard matches prefixes): a browser fetches a manifest without cookies, and checks a
worker for updates also after a logout; neither holds anything personal.
The worker's scope is still only /staff/, so no public page is ever cached or controlled by it.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, datetime

from flask import Blueprint, Flask, Response, current_app, render_template, request, url_for
from flask_login import current_user

from app.staff import replay

bp = Blueprint("offline", __name__)

SCOPE = "/staff/"
# The logout answer: the browser drops this site's caches, IndexedDB (the offline queue),
# local storage and the worker itself, whatever the page's script managed to do before.
CLEAR_ON_LOGOUT = '"cache", "storage"'
# Tells the worker whose page a response is: copies are kept per person.
USER_HEADER = "X-Staff-User"
ICON_SIZES = (192, 512)


@bp.route("/sw-staff.js")
def worker() -> Response:
    queue_script = url_for("static", filename="js/offline-queue.js")
    stylesheet = url_for("static", filename="css/app.css")
    body = render_template(
        "staff/sw.js",
        queue_script=queue_script,
        stylesheet=stylesheet,
        # A new stylesheet or queue script starts a new static cache; the old one goes.
        static_cache=hashlib.sha256((queue_script + stylesheet).encode()).hexdigest()[:12],
        idle_hours=current_app.config["STAFF_SESSION_HOURS"],
        scope=SCOPE,
    )
    response = Response(body, mimetype="text/javascript")
    # A new deploy reaches phones at their next page load, not a day later.
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.route("/manifest-staff.webmanifest")
def manifest() -> Response:
    city = current_app.config["CITY_NAME"]
    icons = [
        {
            "src": url_for("static", filename=f"icons/staff-{size}.png"),
            "sizes": f"{size}x{size}",
            "type": "image/png",
            "purpose": "any",
        }
        for size in ICON_SIZES
    ]
    icons.append(
        {
            "src": url_for("static", filename="icons/staff-maskable-512.png"),
            "sizes": "512x512",
            "type": "image/png",
            "purpose": "maskable",
        }
    )
    body = json.dumps(
        {
            "id": SCOPE,
            "name": f"Mängelmelder {city} – Beschäftigte",
            "short_name": "Mängelmelder",
            "description": "Warteschlange und Meldungen für die Beschäftigten der Stadt, "
            "auch ohne Netz lesbar; Änderungen werden nachgesendet.",
            "lang": "de",
            "dir": "ltr",
            "start_url": SCOPE,
            "scope": SCOPE,
            "display": "standalone",
            "background_color": "#ffffff",
            "theme_color": "#084785",
            "icons": icons,
        },
        ensure_ascii=False,
    )
    response = Response(body, mimetype="application/manifest+json")
    response.headers["Cache-Control"] = "no-cache"
    return response


def add_headers(response: Response) -> Response:
    if request.endpoint == "auth.logout":
        response.headers["Clear-Site-Data"] = CLEAR_ON_LOGOUT
    elif request.path.startswith(SCOPE) and current_user.is_authenticated:
        response.headers[USER_HEADER] = str(current_user.id)
    return response


def new_request_key() -> str:
    """A fresh idempotency key for a staff action form (app/staff/replay.py)."""
    return str(uuid.uuid4())


def page_stand() -> str:
    """When this page was made: an offline copy says "Stand von 14:05"."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.after_request(add_headers)
    app.add_template_global(new_request_key, "request_key")
    app.add_template_global(page_stand)
    replay.init_app(app)
