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
from itertools import chain

from flask import current_app, url_for
from sqlalchemy import (
    ColumnElement,
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

OPEN = sorted(s.value for s in OPEN_STATUSES)
CLOSED = sorted(s.value for s in CLOSED_STATUSES)


def requests_json(found: RequestFilter, codes: dict[str, int]) -> str:
    """The JSON text of one page of service requests, newest first."""
    page = _page(found, codes)
    laterals = _laterals(page, found.extensions)
    item = _request_object(page, laterals)
    statement = (
        select(
            cast(
                func.coalesce(
                    func.json_agg(
                        aggregate_order_by(item, page.c.created_at.desc(), page.c.id.desc())
                    ),
                    func.json_build_array(),
                ),
                Text,
            )
        )
        .select_from(page)
        .join(Category, Category.id == page.c.category_id)
        .join(Department, Department.id == page.c.department_id)
        .join(District, District.id == page.c.district_id)
    )
    for lateral in laterals.values():
        statement = statement.outerjoin(lateral, true())
    # For a page of at most a thousand rows, parallel workers and JIT compilation cost more
    # to start than they save (JIT alone took 50 ms on large circles), and under concurrent
    # clients workers only compete for the same cores.
    db.session.execute(text("SET LOCAL max_parallel_workers_per_gather = 0; SET LOCAL jit = off"))
    return db.session.scalar(statement, _parameters())  # type: ignore[return-value]


def _parameters() -> dict:
    # Photo names are URL-safe random strings: the address is the common prefix plus the name.
    photo_base = url_for("public.photo", name="-", _external=True).removesuffix("-")
    return {
        "labels": {status.value: status.label for status in Status},
        "city": ", " + current_app.config["CITY_NAME"],
        "photo_base": photo_base,
    }


def _page(found: RequestFilter, codes: dict[str, int]) -> Subquery:
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
        )
        .where(*_conditions(found, codes))
        .order_by(Report.created_at.desc(), Report.id.desc())
        .limit(found.page_size)
        .offset(found.offset)
        .subquery("page")
    )


def _conditions(found: RequestFilter, codes: dict[str, int]) -> list[ColumnElement]:
    if found.ids is not None:
        ids = bindparam("ids", found.ids, type_=ARRAY(Report.case_number.type))
        return [Report.case_number == any_(ids)]
    conditions = []
    if found.start is not None:
        conditions.append(Report.created_at >= found.start)
    if found.end is not None:
        conditions.append(Report.created_at <= found.end)
    if found.updated_after is not None:
        conditions.append(Report.updated_at >= found.updated_after)
    if found.updated_before is not None:
        conditions.append(Report.updated_at <= found.updated_before)
        # Implied, since a report is created before any change, and it lets the index on
        # created_at start at the right place instead of skipping all newer reports.
        conditions.append(Report.created_at <= found.updated_before)
    if found.service_codes is not None:
        conditions.append(Report.category_id.in_([codes[c] for c in found.service_codes]))
    if found.statuses is not None and len(found.statuses) == 1:
        conditions.append(Report.status.in_(OPEN if "open" in found.statuses else CLOSED))
    if found.bbox is not None:
        conditions.append(Report.location.intersects(func.ST_MakeEnvelope(*found.bbox, 4326)))
    if found.near is not None:
        conditions.extend(_near(*found.near))
    return conditions


def _near(lat: float, lon: float, radius: float) -> list[ColumnElement]:
    """A box in degrees that the GiST index can use, then the exact distance in metres.
    ST_Distance rather than ST_DWithin: the planner cannot estimate ST_DWithin on a cast
    column and takes it for very selective, which sends large circles to a slow plan."""
    point = func.ST_SetSRID(func.ST_MakePoint(lon, lat), 4326)
    dlat = radius / 110_000 + 1e-6  # a degree of latitude is at least 110.5 km
    dlon = min(dlat / max(math.cos(math.radians(lat)), 0.01), 360.0)
    return [
        Report.location.intersects(func.ST_Expand(point, dlon, dlat)),
        func.ST_Distance(func.Geography(Report.location), func.Geography(point)) <= radius,
    ]


def _laterals(page: Subquery, extensions: bool) -> dict[str, Subquery]:
    """Per-report look-ups: the public photos, and the latest public note (with extensions,
    read in the same pass as the whole public timeline)."""
    url = bindparam("photo_base", type_=Text) + Photo.filename
    photos = (
        select(func.jsonb_agg(aggregate_order_by(url, Photo.after, Photo.id)).label("urls"))
        .where(Photo.report_id == page.c.id, Photo.hidden.is_(False), _published(page))
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


def _request_object(page: Subquery, laterals: dict[str, Subquery]) -> ColumnElement:
    """One service request, its fields in the spec's order."""
    published = _published(page)
    closed_at = case((page.c.status.in_(CLOSED), page.c.closed_at))
    media = _media(page, laterals["photos"])
    fields = {
        "service_request_id": page.c.case_number,
        "status": case((page.c.status.in_(OPEN), "open"), else_="closed"),
        "status_notes": func.coalesce(laterals["note"].c.text, _label(page.c.status)),
        "service_name": Category.name_de,
        "service_code": Category.code,
        "description": case((published, page.c.description)),
        "agency_responsible": Department.name,
        "service_notice": null(),
        "requested_datetime": w3c(page.c.created_at),
        # The spec: for closed requests, the moment they were closed.
        "updated_datetime": w3c(func.coalesce(closed_at, page.c.updated_at)),
        "expected_datetime": null(),
        "address": District.name + bindparam("city", type_=Text),
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
            }
        )
    return _object(fields)


def _media(page: Subquery, photos: Subquery) -> ColumnElement:
    """Public photo addresses, then the link given through the API (published reports only)."""
    link = case(
        (
            _published(page) & page.c.media_url.is_not(None),
            func.jsonb_build_array(page.c.media_url),
        ),
        else_=func.jsonb_build_array(),
    )
    return func.coalesce(photos.c.urls, func.jsonb_build_array()).op("||")(link)


def _object(fields: dict[str, ColumnElement]) -> ColumnElement:
    keys = (literal_column(f"'{key}'") for key in fields)
    return func.json_build_object(*chain.from_iterable(zip(keys, fields.values(), strict=True)))


def _published(page: Subquery) -> ColumnElement:
    return page.c.published_at.is_not(None)


def _label(status: ColumnElement) -> ColumnElement:
    """The German status label, from a parameter, so the translations stay in Python."""
    return bindparam("labels", type_=JSONB).op("->>")(status)


def w3c(column: ColumnElement) -> ColumnElement:
    """A timestamp as the spec writes it (2010-01-01T00:00:00Z), formatted by the database."""
    return func.to_char(func.timezone("UTC", column), 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
