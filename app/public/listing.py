"""The report list: the map's accessible twin, with the same filters, newest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text

from app.extensions import db
from app.models.status import Status
from app.public.cards import cards
from app.public.filters import ReportFilter

PAGE_SIZE = 25


@dataclass
class ListedReport:
    id: int
    case_number: str
    status: Status
    created_at: datetime
    category: str
    district: str
    # The place description (nearest address, street or Stadtteil); None for old reports.
    place: str | None = None
    # The first public photo's thumbnail and the public text, cut short (None until published).
    thumbnail: str | None = None
    text: str | None = None


def list_reports(flt: ReportFilter, before_id: int | None = None) -> tuple[list, int | None]:
    """One page of reports, and the id to continue after (keyset: fast on any page)."""
    where, params = flt.where("r")
    conditions = [where]
    if flt.start:
        conditions.append("r.created_at >= :since")
        params["since"] = flt.start
    if flt.end:
        conditions.append("r.created_at < :until")
        params["until"] = flt.end
    if before_id is not None:
        conditions.append(
            "(r.created_at, r.id) < (SELECT created_at, id FROM reports WHERE id = :before)"
        )
        params["before"] = before_id
    rows = db.session.execute(
        text(
            f"""
            SELECT r.id, r.case_number, r.status, r.created_at,
                   c.name_de AS category, d.name AS district, r.address
            FROM reports AS r
            JOIN categories AS c ON c.id = r.category_id
            JOIN districts AS d ON d.id = r.district_id
            WHERE {" AND ".join(conditions)}
            ORDER BY r.created_at DESC, r.id DESC
            LIMIT :limit
            """
        ),
        {**params, "limit": PAGE_SIZE + 1},
    ).all()
    shown = cards([row.id for row in rows[:PAGE_SIZE]])
    page = []
    for row in rows[:PAGE_SIZE]:
        card = shown.get(row.id)
        page.append(
            ListedReport(
                row.id,
                row.case_number,
                Status(row.status),
                row.created_at,
                row.category,
                row.district,
                row.address,
                card.thumbnail if card else None,
                card.text if card else None,
            )
        )
    more = len(rows) > PAGE_SIZE
    return page, (page[-1].id if more else None)
