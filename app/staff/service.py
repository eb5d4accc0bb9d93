"""Queries for the staff area: the central inbox and the department queues."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import Department, Report, User
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


def queue(user: User, limit: int = PAGE) -> list[Report]:
    """Open reports of the user's departments (all departments for dispatchers and admins)."""
    query = (
        select(Report)
        .where(Report.status.in_([s.value for s in OPEN_STATUSES]))
        .options(joinedload(Report.category), joinedload(Report.district))
        .order_by(Report.created_at, Report.id)
        .limit(limit)
    )
    if user.role == "crew":
        query = query.where(Report.department_id.in_([d.id for d in user.departments]))
    return list(db.session.scalars(query))


def all_departments() -> list[Department]:
    return list(db.session.scalars(select(Department).order_by(Department.name)))
