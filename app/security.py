"""Security headers for every response."""

from __future__ import annotations

from typing import TypeVar
from urllib.parse import urlsplit

from flask import Flask, Response, current_app
from werkzeug.wrappers import Response as BaseResponse


def _tile_origin(tile_url: str) -> str:
    parts = urlsplit(tile_url.replace("{s}", "a"))
    host = parts.netloc
    # Leaflet's {s} placeholder spreads tiles over sub-domains.
    if "{s}" in tile_url:
        host = "*." + host.split(".", 1)[1]
    return f"{parts.scheme}://{host}" if host else ""


def content_security_policy() -> str:
    tiles = _tile_origin(current_app.config["TILE_URL"])
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src 'self' data: blob: {tiles}".strip(),
            "connect-src 'self'",
            "font-src 'self'",
            # The staff area's service worker and manifest (app/staff/offline.py).
            "worker-src 'self'",
            "manifest-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


R = TypeVar("R", bound=BaseResponse)


def private(response: R) -> R:
    """Pages with a tracking link, a signed mail link or personal data: never cached, never
    indexed."""
    response.headers["Cache-Control"] = "no-store, private"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def add_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", content_security_policy())
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault(
        "Permissions-Policy", "geolocation=(self), camera=(self), microphone=()"
    )
    if current_app.config["SESSION_COOKIE_SECURE"]:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def init_app(app: Flask) -> None:
    app.after_request(add_headers)
