"""Shared test helpers for filing reports through the web form."""

from __future__ import annotations

import io
import uuid

from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import db
from app.models import Category, Photo, Report, TimelineEvent
from tests.factories import MITTE

# What a single report's card on the map carries (app.map.service): public facts only.
MAP_CARD_KEYS = {"id", "status", "category", "place", "created", "text", "thumb", "supports"}


def category_id(code: str = "licht") -> int:
    return db.session.scalar(select(Category.id).where(Category.code == code))


def form_data(**overrides: object) -> dict:
    data: dict = {
        "category": str(category_id()),
        "description": "Die Laterne vor Hausnummer 12 ist dunkel.",
        "lat": str(MITTE[0]),
        "lon": str(MITTE[1]),
        "submission_key": uuid.uuid4().hex,
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def with_photos(data: dict, *photos: bytes, name: str = "foto.jpg") -> dict:
    data["photos"] = [(io.BytesIO(p), name) for p in photos]
    return data


def post_report(client: FlaskClient, data: dict, **kwargs: object):
    return client.post("/melden", data=data, content_type="multipart/form-data", **kwargs)


def counts() -> tuple[int, int, int]:
    """Reports, photos and timeline events in the database."""
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Report, Photo, TimelineEvent)
    )  # type: ignore[return-value]


def confirmation(client: FlaskClient) -> str:
    """The confirmation page; it can be fetched once per submission."""
    return client.get("/melden/danke").get_data(as_text=True)


def tracking_link(page: str) -> str:
    start = page.index("/verfolgen/")
    return page[start : page.index('"', start)]
