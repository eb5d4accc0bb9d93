"""Queries for the staff area: the central inbox and the department queues."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import Category, Department, District, Report, User
from app.models.status import OPEN_STATUSES, Status

PAGE = 50


def inbox(limit: int = PAGE) -> list[Report]:
    """New reports not yet checked, oldest first: what the central inbox works through."""
    return list(
        db.session.scalars(
            select(Report)
            .where(Report.status == Status.RECEIVED, Report.published_at.is_(None))
            .options(joinedload(Report.category), joinedload(Report.district))
            .order_by(Report.created_at, Report.id)
            .limit(limit)
        )
    )


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
    """Open reports of the user's departments (all departments for dispatchers and admins),
    oldest first, most urgent first, or nearest to `here` (lat, lon) first."""
    order = [Report.created_at, Report.id]
    if sort == "prioritaet":
        order = [Report.priority.desc(), *order]
    elif sort == "naehe" and here is not None:
        point = func.ST_SetSRID(func.ST_MakePoint(here[1], here[0]), 4326)
        order = [func.ST_Distance(func.geography(Report.location), func.geography(point))]
    query = (
        select(Report)
        .where(Report.status.in_([s.value for s in OPEN_STATUSES]))
        .options(joinedload(Report.category), joinedload(Report.district))
        .order_by(*order)
        .limit(limit)
    )
    if only.status:
        query = query.where(Report.status == only.status)
    if only.district:
        query = query.join(Report.district).where(District.code == only.district)
    if only.category:
        query = query.join(Report.category).where(Category.code == only.category)
    if user.role == "crew":
        query = query.where(Report.department_id.in_([d.id for d in user.departments]))
    return list(db.session.scalars(query))


def all_departments() -> list[Department]:
    return list(db.session.scalars(select(Department).order_by(Department.name)))


def all_districts() -> list[District]:
    return list(db.session.scalars(select(District).order_by(District.name)))
