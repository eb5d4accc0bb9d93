"""Helpers for the admin tests (no tests here): counting rows, reading and refusing pages."""

from __future__ import annotations

from sqlalchemy import func, select
from werkzeug.test import TestResponse

from app.extensions import db


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def page_text(response: TestResponse) -> str:
    return response.get_data(as_text=True)


def refused(response: TestResponse, *phrases: str) -> str:
    """A 422 page that names every phrase (HTML-escaped quotes aside). Returns the page."""
    text = page_text(response).replace("&#34;", '"').replace("&#39;", "'")
    assert response.status_code == 422, text[:2000]
    for phrase in phrases:
        assert phrase in text, f"{phrase!r} not on the page"
    return text
