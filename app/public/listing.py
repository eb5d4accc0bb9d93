"""The report list: the map's accessible twin, with the same filters, newest first or most
supported first ("Ich bin auch betroffen"). Keyset pagination in both orders: the next page
starts after the last row's key, so every page is as fast as the first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import text

from app.extensions import db
from app.models.status import Status
from app.public.cards import cards
from app.public.filters import ReportFilter

PAGE_SIZE = 25
NEWEST, MOST_SUPPORTED = "neueste", "unterstuetzung"
SORTS = {NEWEST: _l("Neueste zuerst"), MOST_SUPPORTED: _l("Meiste Unterstützung")}
# Each order with its keyset: the ORDER BY and the row the next page starts after. created_at
# never changes, so it is read from the last row; its support count may have grown since the
# page was shown, so the link carries the count the reader saw (:count), else today's.
ORDERS = {
    NEWEST: (
        "r.created_at DESC, r.id DESC",
        "(r.created_at, r.id) < (SELECT created_at, id FROM reports WHERE id = :before)",
    ),
    # ix_reports_support_order, walked backwards.
    MOST_SUPPORTED: (
        "r.support_count DESC, r.created_at DESC, r.id DESC",
        "(r.support_count, r.created_at, r.id) < "
        "(SELECT COALESCE(CAST(:count AS integer), support_count), created_at, id "
        "FROM reports WHERE id = :before)",
    ),
}


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
    # Confirmed "Ich bin auch betroffen".
    support_count: int = 0


def list_reports(
    flt: ReportFilter,
    before_id: int | None = None,
    sort: str = NEWEST,
    before_count: int | None = None,
) -> tuple[list, int | None]:
    """One page of reports in the order `sort`, and the id to continue after; `before_count`
    is the support count the last page showed for that report (MOST_SUPPORTED only)."""
    order, after = ORDERS[sort]
    where, params = flt.where("r")
    conditions = [where]
    if flt.start:
        conditions.append("r.created_at >= :since")
        params["since"] = flt.start
    if flt.end:
        conditions.append("r.created_at < :until")
        params["until"] = flt.end
    if before_id is not None:
        conditions.append(after)
        params["before"] = before_id
        if sort == MOST_SUPPORTED:
            params["count"] = before_count
    rows = db.session.execute(
        text(
            f"""
            SELECT r.id, r.case_number, r.status, r.created_at,
                   c.name_de AS category, d.name AS district, r.address, r.support_count
            FROM reports AS r
            JOIN categories AS c ON c.id = r.category_id
            JOIN districts AS d ON d.id = r.district_id
            WHERE {" AND ".join(conditions)}
            ORDER BY {order}
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
                row.support_count,
            )
        )
    more = len(rows) > PAGE_SIZE
    return page, (page[-1].id if more else None)
