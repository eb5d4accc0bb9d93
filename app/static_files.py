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

    def _current(view_args: dict, version: str | None) -> bool:
        path = folder / str(view_args.get("filename", ""))
        return bool(version) and path.is_file() and version == _version(path, path.stat().st_mtime)

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
        # Only the current version: during a rolling deploy an old server may be asked for a
        # new hash and must not let browsers keep its old file for a year.
        if (
            request.endpoint == "static"
            and response.status_code == 200
            and _current(request.view_args or {}, request.args.get("v"))
        ):
            response.cache_control.public = True
            response.cache_control.max_age = YEAR
            response.cache_control.immutable = True
            response.cache_control.no_cache = None
        return response
