"""GET requests as one SQL statement that also writes the JSON answer.

At a thousand requests per page, building dicts in Python and encoding them cost more than
the query; PostgreSQL writes the same JSON in a few milliseconds. The XML answer is made
from this JSON, so both formats always carry the same data.

Only public facts leave: never the reporter's data, and description, link and photos only of
published reports. The page is cut first (LIMIT/OFFSET on the reports alone, in the order of
the indexes); joins and per-report look-ups run for the rows of that page only.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import lru_cache
from itertools import chain
from typing import Any

from flask import current_app, url_for
from sqlalchemy import (
    ColumnElement,
    Float,
    FromClause,
    Integer,
    Select,
    SQLColumnExpression,
    Subquery,
    Text,
    any_,
    bindparam,
    case,
    cast,
    func,
    literal_column,
    null,
    select,
    text,
    true,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, aggregate_order_by

from app.extensions import db
from app.models import Category, Department, District, Photo, Report, Status
from app.models import TimelineEvent as Event
from app.models.status import CLOSED_STATUSES, OPEN_STATUSES
from app.open311.params import RequestFilter
from app.public.projection import public_photos, public_text

OPEN = sorted(s.value for s in OPEN_STATUSES)
CLOSED = sorted(s.value for s in CLOSED_STATUSES)
TIMESTAMP = Report.created_at.type
NUMBER = Float()


def requests_json(found: RequestFilter, codes: dict[str, int]) -> str:
    """The JSON text of one page of service requests, newest first."""
    names, values = _filter_values(found, codes)
    status = next(iter(found.statuses)) if found.statuses and len(found.statuses) == 1 else None
    statement = _statement(frozenset(names), status, found.extensions)
    # For a page of at most a thousand rows, parallel workers and JIT compilation cost more
    # to start than they save (JIT alone took 50 ms on large circles), and under concurrent
    # clients workers only compete for the same cores.
    db.session.execute(text("SET LOCAL max_parallel_workers_per_gather = 0; SET LOCAL jit = off"))
    values |= {"limit": found.page_size, "offset": found.offset} | _display_values()
    return db.session.scalar(statement, values)


def _filter_values(found: RequestFilter, codes: dict[str, int]) -> tuple[list[str], dict]:
    """The filters in use, and the values to bind for them."""
    if found.ids is not None:
        return ["ids"], {"ids": found.ids}
    periods = {
        "start": found.start,
        "end": found.end,
        "updated_after": found.updated_after,
        "updated_before": found.updated_before,
    }
    names = [name for name, value in periods.items() if value is not None]
    values: dict[str, object] = {name: periods[name] for name in names}
    if found.service_codes is not None:
        ids = sorted({codes[code] for code in found.service_codes})
        # One category as an equality, so that its index on (category, time) gives the order.
        name = "category" if len(ids) == 1 else "categories"
        names.append(name)
        values[name] = ids[0] if len(ids) == 1 else ids
    if found.bbox is not None:
        names.append("bbox")
        values.update(zip(("west", "south", "east", "north"), found.bbox, strict=True))
    if found.near is not None:
        names.append("near")
        values.update(_circle(*found.near))
    return names, values


def _circle(lat: float, lon: float, radius: float) -> dict[str, float]:
    """The point, and a box in degrees around the circle (a degree of latitude is at least
    110.5 km; one of longitude shrinks with the cosine of the latitude)."""
    dlat = radius / 110_000 + 1e-6
    dlon = min(dlat / max(math.cos(math.radians(lat)), 0.01), 360.0)
    return {"lat": lat, "lon": lon, "radius": radius, "dlat": dlat, "dlon": dlon}


def _display_values() -> dict:
    # Photo names are URL-safe random strings: the address is the common prefix plus the name.
    photo_base = url_for("public.photo", name="-", _external=True).removesuffix("-")
    return {
        "labels": {status.value: status.label for status in Status},
        "city": ", " + current_app.config["CITY_NAME"],
        "photo_base": photo_base,
    }


@lru_cache(maxsize=256)
def _statement(names: frozenset[str], status: str | None, extensions: bool) -> Select:
    """Built once per combination of filters: building it costs more than running it."""
    page = _page(names, status)
    laterals = _laterals(page, extensions)
    item = _request_object(page, laterals)
    newest_first = aggregate_order_by(item, page.c.created_at.desc(), page.c.id.desc())
    statement = (
        select(cast(func.coalesce(func.json_agg(newest_first), func.json_build_array()), Text))
        .select_from(page)
        .join(Category, Category.id == page.c.category_id)
        .join(Department, Department.id == page.c.department_id)
        .join(District, District.id == page.c.district_id)
    )
    for lateral in laterals.values():
        statement = statement.outerjoin(lateral, true())
    return statement


def _page(names: frozenset[str], status: str | None) -> Subquery:
    return (
        select(
            Report.id,
            Report.case_number,
            Report.status,
            Report.category_id,
            Report.department_id,
            Report.district_id,
            Report.created_at,
            Report.updated_at,
            Report.closed_at,
            Report.published_at,
            Report.description,
            Report.media_url,
            Report.location,
            Report.address,
            Report.support_count,
        )
        .where(*_conditions(names, status))
        .order_by(Report.created_at.desc(), Report.id.desc())
        .limit(bindparam("limit", type_=Integer))
        .offset(bindparam("offset", type_=Integer))
        .subquery("page")
    )


def _conditions(names: frozenset[str], status: str | None) -> list[ColumnElement]:
    if "ids" in names:
        return [Report.case_number == any_(bindparam("ids", type_=ARRAY(Text)))]
    conditions = []
    if "start" in names:
        conditions.append(Report.created_at >= bindparam("start", type_=TIMESTAMP))
    if "end" in names:
        conditions.append(Report.created_at <= bindparam("end", type_=TIMESTAMP))
    if "updated_after" in names:
        conditions.append(Report.updated_at >= bindparam("updated_after", type_=TIMESTAMP))
    if "updated_before" in names:
        before = bindparam("updated_before", type_=TIMESTAMP)
        # The second is implied, since a report is created before any change; it lets the
        # index on created_at start at the right place instead of skipping all newer reports.
        conditions += [Report.updated_at <= before, Report.created_at <= before]
    if "category" in names:
        conditions.append(Report.category_id == bindparam("category", type_=Integer))
    if "categories" in names:
        conditions.append(Report.category_id == any_(bindparam("categories", type_=ARRAY(Integer))))
    if status is not None:
        conditions.append(Report.status.in_(OPEN if status == "open" else CLOSED))
    if "bbox" in names:
        box = [bindparam(side, type_=NUMBER) for side in ("west", "south", "east", "north")]
        conditions.append(Report.location.intersects(func.ST_MakeEnvelope(*box, 4326)))
    if "near" in names:
        conditions += _near()
    return conditions


def _near() -> list[ColumnElement]:
    """The box that the GiST index can use, then the exact distance in metres. ST_Distance
    rather than ST_DWithin: the planner cannot estimate ST_DWithin on a cast column and takes
    it for very selective, which sends large circles to a slow plan."""
    lat, lon, radius, dlat, dlon = (
        bindparam(name, type_=NUMBER) for name in ("lat", "lon", "radius", "dlat", "dlon")
    )
    point = func.ST_SetSRID(func.ST_MakePoint(lon, lat), 4326)
    return [
        Report.location.intersects(func.ST_Expand(point, dlon, dlat)),
        func.ST_Distance(func.Geography(Report.location), func.Geography(point)) <= radius,
    ]


def _laterals(page: Subquery, extensions: bool) -> dict[str, FromClause]:
    """Per-report look-ups: the public photos, and the latest public note (with extensions,
    read in the same pass as the whole public timeline)."""
    url = bindparam("photo_base", type_=Text) + Photo.filename
    photos = (
        select(func.jsonb_agg(aggregate_order_by(url, Photo.after, Photo.id)).label("urls"))
        .where(Photo.report_id == page.c.id, public_photos(page.c.published_at))
        .lateral("photos")
    )
    events = select().where(Event.report_id == page.c.id, Event.public)
    newest_first = (Event.created_at.desc(), Event.id.desc())
    note_text = func.nullif(Event.note, "")
    if not extensions:
        note = events.add_columns(note_text.label("text")).order_by(*newest_first).limit(1)
        return {"photos": photos, "note": note.lateral("note")}
    event = _object(
        {
            "datetime": w3c(Event.created_at),
            "status": Event.status,
            "description": func.coalesce(note_text, _label(Event.status), ""),
        }
    )
    timeline = events.add_columns(
        func.array_agg(aggregate_order_by(note_text, *newest_first))[1].label("text"),
        func.json_agg(aggregate_order_by(event, Event.created_at, Event.id)).label("notes"),
    )
    return {"photos": photos, "note": timeline.lateral("note")}


def _request_object(page: Subquery, laterals: dict[str, FromClause]) -> ColumnElement:
    """One service request, its fields in the spec's order."""
    closed_at = case((page.c.status.in_(CLOSED), page.c.closed_at))
    media = _media(page, laterals["photos"])
    fields = {
        "service_request_id": page.c.case_number,
        "status": case((page.c.status.in_(OPEN), "open"), else_="closed"),
        "status_notes": func.coalesce(laterals["note"].c.text, _label(page.c.status)),
        "service_name": Category.name_de,
        "service_code": Category.code,
        "description": public_text(page.c.published_at, page.c.description),
        "agency_responsible": Department.name,
        "service_notice": null(),
        "requested_datetime": w3c(page.c.created_at),
        # The spec: for closed requests, the moment they were closed.
        "updated_datetime": w3c(func.coalesce(closed_at, page.c.updated_at)),
        "expected_datetime": null(),
        # The place description, then the Stadtteil and the city: "Kölner Straße 5, Mitte, …".
        "address": func.coalesce(func.nullif(page.c.address, District.name) + ", ", "")
        + District.name
        + bindparam("city", type_=Text),
        "address_id": null(),
        "zipcode": null(),
        "lat": func.ST_Y(page.c.location),
        "long": func.ST_X(page.c.location),
        "media_url": media.op("->>")(0),
    }
    if "notes" in laterals["note"].c:
        timeline = func.coalesce(laterals["note"].c.notes, func.json_build_array())
        fields["extended_attributes"] = _object(
            {
                "district": District.name,
                "district_code": District.code,
                "detailed_status": page.c.status,
                "detailed_status_label": _label(page.c.status),
                "status_notes": timeline,
                "media_urls": media,
                # Confirmed "Ich bin auch betroffen", named as Klarschiff's CitySDK does.
                "votes": page.c.support_count,
            }
        )
    return _object(fields)


def _media(page: Subquery, photos: FromClause) -> ColumnElement:
    """Public photo addresses, then the link given through the API (published reports only)."""
    link = public_text(page.c.published_at, page.c.media_url)
    link = case((link.is_not(None), func.jsonb_build_array(link)), else_=func.jsonb_build_array())
    return func.coalesce(photos.c.urls, func.jsonb_build_array()).op("||")(link)


def _object(fields: Mapping[str, SQLColumnExpression[Any]]) -> ColumnElement:
    keys: list[ColumnElement] = [literal_column(f"'{key}'") for key in fields]
    return func.json_build_object(*chain.from_iterable(zip(keys, fields.values(), strict=True)))


def _label(status: SQLColumnExpression[Any]) -> ColumnElement:
    """The German status label, from a parameter, so the translations stay in Python."""
    return bindparam("labels", type_=JSONB).op("->>")(status)


def w3c(column: SQLColumnExpression[Any]) -> ColumnElement:
    """A timestamp as the spec writes it (2010-01-01T00:00:00Z), formatted by the database."""
    return func.to_char(func.timezone("UTC", column), 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
