"""Static files with their content's hash in the address (`?v=…`): a browser may keep such a
file for a year without asking again, and a deploy that changes it changes its address."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from flask import Flask, request
from werkzeug.wrappers import Response

YEAR = 365 * 24 * 3600


@lru_cache(maxsize=512)
def _version(path: Path, modified: float) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def init_app(app: Flask) -> None:
    folder = Path(app.static_folder or "")

    @app.url_defaults
    def add_version(endpoint: str, values: dict) -> None:
        if endpoint != "static" or "v" in values:
            return
        path = folder / values.get("filename", "")
        if path.is_file():  # the stat is cheap; the hash is computed once per file version
            values["v"] = _version(path, path.stat().st_mtime)

    @app.after_request
    def cache_versioned(response: Response) -> Response:
        # Unversioned addresses (a script's own references) keep Flask's revalidation.
        if request.endpoint == "static" and request.args.get("v") and response.status_code == 200:
            response.cache_control.public = True
            response.cache_control.max_age = YEAR
            response.cache_control.immutable = True
            response.cache_control.no_cache = None
        return response
