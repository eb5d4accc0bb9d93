"""Queries for the staff area: the central inbox and the department queues."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ScalarSelect, Select, func, select, text
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import Category, Department, District, Photo, Report, User
from app.models.status import OPEN_STATUSES, sql_in

PAGE = 50


# The inbox's orders: oldest first (the default), or most "Ich bin auch betroffen" first.
INBOX_SORTS = ("alter", "unterstuetzung")


def inbox(limit: int = PAGE, sort: str = "alter") -> list[Report]:
    """Reports not yet checked (unpublished), whatever crews did meanwhile: what the central
    inbox works through, oldest first or most supported first (then oldest). The unchecked
    reports are few (a partial index holds them), so sorting them by support costs nothing."""
    supported_first = [Report.support_count.desc()] if sort == "unterstuetzung" else []
    return list(
        db.session.scalars(
            select(Report)
            .where(Report.published_at.is_(None))
            .options(joinedload(Report.category), joinedload(Report.district))
            .order_by(*supported_first, Report.created_at, Report.id)
            .limit(limit)
        )
    )


@dataclass
class InboxRow:
    """An inbox row: the report, its first photo's thumbnail, and whether an open report of
    the same category lies within the duplicate radius (a hint to look, not a verdict)."""

    report: Report
    thumbnail: str | None
    maybe_duplicate: bool


def inbox_rows(limit: int = PAGE, sort: str = "alter") -> list[InboxRow]:
    reports = inbox(limit, sort)
    ids = [r.id for r in reports]
    thumbnails = dict(
        db.session.execute(
            select(Photo.report_id, func.min(Photo.thumbnail))
            .where(Photo.report_id.in_(ids), Photo.after.is_(False))
            .group_by(Photo.report_id)
        ).all()
    )
    near = set(db.session.scalars(text(NEAR_DUPLICATES), {"ids": ids, "metres": RADIUS_M}))
    return [InboxRow(r, thumbnails.get(r.id), r.id in near) for r in reports]


RADIUS_M = 50
# The box (0.001° is more than 50 m here) lets the GiST index find the neighbours.
NEAR_DUPLICATES = f"""
    SELECT r.id FROM reports r
    WHERE r.id = ANY(:ids) AND EXISTS (
        SELECT 1 FROM reports o
        WHERE o.location && ST_Expand(r.location, 0.001) AND o.id <> r.id
          AND o.category_id = r.category_id AND o.status IN ({sql_in(OPEN_STATUSES)})
          AND ST_DWithin(o.location::geography, r.location::geography, :metres))
"""


def counts(user: User) -> dict[str, int]:
    """How many reports wait in the inbox and in the user's queue, for the navigation."""
    waiting = select(func.count()).select_from(Report)
    found = {
        "queue": db.session.scalar(
            _open_reports(user, QueueFilter()).with_only_columns(func.count()).order_by(None)
        )
        or 0
    }
    if user.role in ("admin", "dispatcher"):
        found["inbox"] = db.session.scalar(waiting.where(Report.published_at.is_(None))) or 0
    return found


@dataclass(frozen=True)
class QueueFilter:
    """Narrows the queue; codes are checked against the database by the view."""

    status: str | None = None
    district: str | None = None
    category: str | None = None


def queue(
    user: User,
    sort: str = "alter",
    here: tuple[float, float] | None = None,
    only: QueueFilter = QueueFilter(),  # frozen: sharing the default is safe
    limit: int = PAGE,
) -> list[Report]:
    """Open reports of the user's departments (all departments for dispatchers and admins) that
    no other body handles: oldest first, most urgent first, or nearest to `here` (lat, lon)."""
    query = _open_reports(user, only)
    if sort == "naehe" and here is not None:
        query = _nearest(query, here, limit)
    elif sort == "prioritaet":
        query = query.order_by(Report.priority.desc(), Report.created_at, Report.id)
    elif sort == "unterstuetzung":  # what most people are waiting for
        query = query.order_by(Report.support_count.desc(), Report.created_at, Report.id)
    else:
        query = query.order_by(Report.created_at, Report.id)
    query = query.options(joinedload(Report.category), joinedload(Report.district))
    return list(db.session.scalars(query.limit(limit)))


def _open_reports(user: User, only: QueueFilter) -> Select:
    open_here = Report.status.in_([s.value for s in OPEN_STATUSES]), Report.body_id.is_(None)
    query = select(Report).where(*open_here)
    if only.status:
        query = query.where(Report.status == only.status)
    if only.district:
        query = query.where(Report.district_id == _id_of(District, only.district))
    if only.category:
        query = query.where(Report.category_id == _id_of(Category, only.category))
    if user.role == "crew":
        query = query.where(Report.department_id.in_([d.id for d in user.departments]))
        # A job the crew sent back waits for the dispatchers (app.staff.returns).
        query = query.where(Report.returned_at.is_(None))
    return query


def _id_of(model: type[District] | type[Category], code: str) -> ScalarSelect:
    return select(model.id).where(model.code == code).scalar_subquery()


def _nearest(query: Select, here: tuple[float, float], limit: int) -> Select:
    """Nearest in metres. The index orders by distance in degrees (a degree of longitude is
    shorter than one of latitude here), so it picks ten times the candidates needed and the
    true distance decides among them."""
    point = func.ST_SetSRID(func.ST_MakePoint(here[1], here[0]), 4326)
    candidates = (
        query.with_only_columns(Report.id)
        .order_by(Report.location.op("<->")(point))
        .limit(limit * 10)
    )
    metres = func.ST_Distance(func.geography(Report.location), func.geography(point))
    return select(Report).where(Report.id.in_(candidates)).order_by(metres)


def all_departments() -> list[Department]:
    return list(db.session.scalars(select(Department).order_by(Department.name)))


def all_districts() -> list[District]:
    return list(db.session.scalars(select(District).order_by(District.name)))
