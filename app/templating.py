"""Template filters and helpers shared by all pages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import Flask, url_for
from flask_babel import format_datetime, get_locale


def datetime_filter(value: datetime | None) -> str:
    """German date and time in the city's time zone, e.g. 25.11.2026, 14:05."""
    return format_datetime(value, "dd.MM.yyyy, HH:mm") if value else ""


def number_filter(value: int | None) -> str:
    """German thousands separator: 346.004."""
    return "–" if value is None else f"{value:,}".replace(",", ".")


def tracking_photo_url(token: str) -> Callable[[str], str]:
    return lambda name: url_for("reports.tracking_photo", token=token, name=name)


def public_photo_url(name: str) -> str:
    return url_for("public.photo", name=name)


def age_filter(value: datetime | None) -> str:
    """How long ago, in words: "vor 3 Tagen" (the exact moment goes into <time datetime>)."""
    from app.public.cards import age

    return age(value) if value else ""


def init_app(app: Flask) -> None:
    app.add_template_filter(datetime_filter, "datetime")
    app.add_template_filter(age_filter, "age")
    app.add_template_filter(number_filter, "number")
    app.add_template_global(get_locale)
    app.add_template_global(tracking_photo_url)
    app.add_template_global(public_photo_url)
