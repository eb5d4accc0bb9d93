"""Addresses that leave the site (mail links): on the site's own host, whatever door the
request came through."""

from __future__ import annotations

from typing import Any

from flask import current_app, url_for


def external_url(endpoint: str, **values: Any) -> str:
    """With PUBLIC_URL set, links start there: a report from the city app arrives through the
    app's Parse host, which serves nothing else of ours. Without it, the request's host."""
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    if not base:
        return url_for(endpoint, _external=True, **values)
    return base + url_for(endpoint, **values)
