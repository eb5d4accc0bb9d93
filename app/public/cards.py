"""The short card of a report on the map and in the list: place, age, a thumbnail and the
beginning of its text. What is public comes from the projection's rule (text once published,
photos once published and not hidden); nothing else of the report is read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from flask_babel import format_timedelta
from sqlalchemy import func, select

from app.extensions import db
from app.models import Photo, Report
from app.public.projection import public_photos, public_text

SHORT_TEXT = 120


@dataclass(frozen=True)
class Card:
    place: str | None
    created_at: datetime
    # The first public photo's thumbnail (a file name for /fotos/), the public text cut short.
    thumbnail: str | None
    text: str | None
    # How many people confirmed "Ich bin auch betroffen".
    support_count: int = 0


def shorten(value: str | None, limit: int = SHORT_TEXT) -> str | None:
    """The text on one line, cut at a word before `limit` characters, with "…"."""
    if not value:
        return None
    flat = " ".join(value.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,.;:-") + "…"


def cards(ids: list[int]) -> dict[int, Card]:
    """The cards of some reports (a page of the list, the single reports on the map)."""
    if not ids:
        return {}
    r = Report.__table__
    thumbnail = (
        select(Photo.thumbnail)
        .where(Photo.report_id == r.c.id, public_photos(r.c.published_at))
        .order_by(Photo.after, Photo.id)
        .limit(1)
        .scalar_subquery()
    )
    # Enough of the text to cut it short, never the whole of a long one.
    text = func.left(public_text(r.c.published_at, r.c.description), SHORT_TEXT * 2)
    rows = db.session.execute(
        select(
            r.c.id,
            r.c.address,
            r.c.created_at,
            thumbnail.label("thumb"),
            text.label("text"),
            r.c.support_count,
        ).where(r.c.id.in_(ids))
    ).all()
    return {
        row.id: Card(row.address, row.created_at, row.thumb, shorten(row.text), row.support_count)
        for row in rows
    }


def age(value: datetime, now: datetime | None = None) -> str:
    """How long ago, in the page's language: "vor 3 Tagen"."""
    delta = value - (now or datetime.now(UTC))
    return str(format_timedelta(delta, add_direction=True, threshold=1.0))
