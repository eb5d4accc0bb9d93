"""Reading Open311 data: discovery, services and service requests. Only public facts leave:
no reporter data ever, and text, links and photos only of published reports.

Every request is filed at once ("realtime" services), so POST answers with the
service_request_id and no token. For clients that call tokens/{token} anyway, a request's token
is its service_request_id.
"""

from __future__ import annotations

import math
from typing import Any

from flask import current_app, url_for
from sqlalchemy import (
    BigInteger,
    BindParameter,
    ColumnElement,
    Row,
    Select,
    any_,
    bindparam,
    case,
    func,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY

from app.extensions import db
from app.models import Category, Department, District, Photo, Report, Status
from app.models import TimelineEvent as Event
from app.models.status import CLOSED_STATUSES, OPEN_STATUSES
from app.open311.params import REQUEST_ID, ApiError, RequestFilter, shown

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
MIME_TYPES = ["text/xml", "application/json"]
OPEN_VALUES = frozenset(s.value for s in OPEN_STATUSES)
CLOSED_VALUES = sorted(s.value for s in CLOSED_STATUSES)


def discovery(endpoint_url: str) -> dict[str, Any]:
    config = current_app.config
    contact = config["OPEN311_CONTACT"]
    changeset = config["OPEN311_CHANGESET"]
    return {
        "changeset": changeset,
        "contact": contact,
        "key_service": config["OPEN311_KEY_SERVICE"]
        or f"API-Schlüssel zum Einreichen von Meldungen auf Anfrage: {contact}",
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": endpoint_url,
                "changeset": changeset,
                "type": config["OPEN311_ENDPOINT_TYPE"],
                "formats": MIME_TYPES,
            }
        ],
    }


def services() -> list[dict[str, Any]]:
    """Every active category as a service; the group is the department that handles it."""
    rows = db.session.execute(
        select(Category.code, Category.name_de, Category.name_en, Department.name)
        .join(Department, Department.id == Category.default_department_id)
        .where(Category.active)
        .order_by(Category.name_de)
    )
    return [
        {
            "service_code": code,
            "service_name": name,
            "description": None,
            "metadata": False,
            "type": "realtime",
            # The English name as a synonym helps clients search.
            "keywords": name_en,
            "group": department,
        }
        for code, name, name_en, department in rows
    ]


def service_definition(code: str) -> dict[str, Any]:
    """No service asks for extra attributes, so every definition has an empty list."""
    if active_category(code) is None:
        raise ApiError(404, [f"service_code: Unbekannter Code {shown(code)}."])
    return {"service_code": code, "attributes": []}


def category_ids() -> dict[str, int]:
    """All category codes, inactive ones included: their old reports can still be asked for."""
    return dict(db.session.execute(select(Category.code, Category.id)).all())  # type: ignore[arg-type]


def active_category(code: str) -> Category | None:
    # PostgreSQL refuses NUL in text; such a code cannot exist anyway.
    if len(code) > 50 or "\x00" in code:
        return None
    return db.session.scalar(select(Category).where(Category.code == code, Category.active))


def find_requests(found: RequestFilter, codes: dict[str, int]) -> list[dict[str, Any]]:
    """One page of service requests, newest first: one query, plus one each for the photos
    and (with extensions) the timelines of that page."""
    rows = db.session.execute(_page_query(found, codes)).all()
    ids = [row.id for row in rows]
    photos = _photo_urls([row.id for row in rows if row.published])
    events = _public_events(ids) if found.extensions else {}
    render = _Renderer(photos, events, found.extensions)
    return [render.request(row) for row in rows]


def find_request(request_id: str, extensions: bool) -> list[dict[str, Any]]:
    found = RequestFilter(ids=[request_id], extensions=extensions)
    result = find_requests(found, {}) if REQUEST_ID.match(request_id) else []
    if not result:
        raise ApiError(404, [f"service_request_id: Unbekannte Meldung {shown(request_id)}."])
    return result


def find_token(token: str) -> list[dict[str, Any]]:
    exists = REQUEST_ID.match(token) and db.session.scalar(
        select(Report.id).where(Report.case_number == token)
    )
    if not exists:
        raise ApiError(404, [f"token: Unbekanntes Token {shown(token)}."])
    return [{"service_request_id": token, "token": token}]


def _page_query(found: RequestFilter, codes: dict[str, int]) -> Select:
    """The page of reports in a sub-select, so that everything else is done for its rows only."""
    page = (
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
    published = page.c.published_at.is_not(None)
    closed = page.c.status.in_(CLOSED_VALUES)
    latest_note = (
        select(Event.note)
        .where(Event.report_id == page.c.id, Event.public)
        .order_by(Event.created_at.desc(), Event.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    return (
        select(
            page.c.id,
            page.c.case_number,
            page.c.status,
            w3c(page.c.created_at).label("requested"),
            # The spec: for closed requests, the moment they were closed.
            w3c(func.coalesce(case((closed, page.c.closed_at)), page.c.updated_at)).label(
                "updated"
            ),
            published.label("published"),
            # Text and links of unpublished reports never leave the database.
            case((published, page.c.description)).label("description"),
            case((published, page.c.media_url)).label("media_url"),
            func.ST_Y(page.c.location).label("lat"),
            func.ST_X(page.c.location).label("lon"),
            Category.code.label("service_code"),
            Category.name_de.label("service_name"),
            Department.name.label("agency"),
            District.name.label("district"),
            District.code.label("district_code"),
            latest_note.label("note"),
        )
        .join(Category, Category.id == page.c.category_id)
        .join(Department, Department.id == page.c.department_id)
        .join(District, District.id == page.c.district_id)
        .order_by(page.c.created_at.desc(), page.c.id.desc())
    )


def _conditions(found: RequestFilter, codes: dict[str, int]) -> list:
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
        wanted = sorted(OPEN_VALUES) if "open" in found.statuses else CLOSED_VALUES
        conditions.append(Report.status.in_(wanted))
    if found.bbox is not None:
        conditions.append(Report.location.intersects(func.ST_MakeEnvelope(*found.bbox, 4326)))
    if found.near is not None:
        conditions.extend(_near(*found.near))
    return conditions


def _near(lat: float, lon: float, radius: float) -> list:
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


def _photo_urls(report_ids: list[int]) -> dict[int, list[str]]:
    if not report_ids:
        return {}
    rows = db.session.execute(
        select(Photo.report_id, Photo.filename)
        .where(Photo.report_id == any_(_id_array(report_ids)), Photo.hidden.is_(False))
        .order_by(Photo.report_id, Photo.after, Photo.id)
    )
    urls: dict[int, list[str]] = {}
    for report_id, filename in rows:
        urls.setdefault(report_id, []).append(
            url_for("public.photo", name=filename, _external=True)
        )
    return urls


def _public_events(report_ids: list[int]) -> dict[int, list[Row]]:
    if not report_ids:
        return {}
    rows = db.session.execute(
        select(Event.report_id, w3c(Event.created_at).label("at"), Event.status, Event.note)
        .where(Event.report_id == any_(_id_array(report_ids)), Event.public)
        .order_by(Event.report_id, Event.created_at, Event.id)
    )
    events: dict[int, list[Row]] = {}
    for row in rows:
        events.setdefault(row.report_id, []).append(row)
    return events


def w3c(column: ColumnElement) -> ColumnElement:
    """A timestamp as the spec writes it (2010-01-01T00:00:00Z), formatted by the database."""
    return func.to_char(func.timezone("UTC", column), 'YYYY-MM-DD"T"HH24:MI:SS"Z"')


def _id_array(ids: list[int]) -> BindParameter:
    return bindparam("report_ids", ids, type_=ARRAY(BigInteger))


class _Renderer:
    """Turns rows into Open311 service requests; labels and time zone are looked up once."""

    def __init__(
        self, photos: dict[int, list[str]], events: dict[int, list[Row]], extensions: bool
    ) -> None:
        self.photos, self.events, self.extensions = photos, events, extensions
        self.city = current_app.config["CITY_NAME"]
        self.labels = {status.value: status.label for status in Status}

    def request(self, row: Row) -> dict[str, Any]:
        media = self.photos.get(row.id, []) + ([row.media_url] if row.media_url else [])
        result = {
            "service_request_id": row.case_number,
            "status": "open" if row.status in OPEN_VALUES else "closed",
            "status_notes": row.note or self.labels[row.status],
            "service_name": row.service_name,
            "service_code": row.service_code,
            "description": row.description,
            "agency_responsible": row.agency,
            "service_notice": None,
            "requested_datetime": row.requested,
            "updated_datetime": row.updated,
            "expected_datetime": None,
            "address": f"{row.district}, {self.city}",
            "address_id": None,
            "zipcode": None,
            "lat": row.lat,
            "long": row.lon,
            "media_url": media[0] if media else None,
        }
        if self.extensions:
            result["extended_attributes"] = self.extended(row, media)
        return result

    def extended(self, row: Row, media: list[str]) -> dict[str, Any]:
        return {
            "district": row.district,
            "district_code": row.district_code,
            "detailed_status": row.status,
            "detailed_status_label": self.labels[row.status],
            "status_notes": [
                {
                    "datetime": event.at,
                    "status": event.status,
                    "description": event.note or self.labels.get(event.status or "", ""),
                }
                for event in self.events.get(row.id, [])
            ],
            "media_urls": media,
        }
