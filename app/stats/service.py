"""Transparency figures per district, category and department.

Medians over a million reports take seconds, so the page only reads a snapshot. A worker
(`flask outbox work`, see app/stats/worker.py) recomputes it once it is older than STATS_MAX_AGE;
`flask stats refresh` and the demo commands recompute it on demand.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import RowMapping, delete, select, text

from app.extensions import db
from app.models import Category, Department, District, StatisticsSnapshot
from app.models.status import OPEN_STATUSES, sql_in

PERIODS = {"30": 30, "365": 365, "alle": None}
# Each dimension's id, code and German name.
DIMENSIONS = {
    "district": (District.id, District.code, District.name),
    "category": (Category.id, Category.code, Category.name_de),
    "department": (Department.id, Department.code, Department.name),
}
FIGURES = ("received", "open", "resolved", "reaction_days", "resolution_days")
# Only one refresh at a time across all workers.
REFRESH_LOCK = 74210001

FIGURES_SQL = """
SELECT GROUPING(district_id) AS g_district, GROUPING(category_id) AS g_category,
       GROUPING(department_id) AS g_department, district_id, category_id, department_id,
       count(*) AS received,
       count(*) FILTER (WHERE status IN ({open_statuses})) AS open,
       count(*) FILTER (WHERE status = 'resolved') AS resolved,
       percentile_cont(0.5) WITHIN GROUP (
           ORDER BY extract(epoch FROM first_reaction_at - created_at)) / 86400
           AS reaction_days,
       percentile_cont(0.5) WITHIN GROUP (
           ORDER BY CASE WHEN status = 'resolved' THEN extract(epoch FROM closed_at - created_at)
           END) / 86400 AS resolution_days
FROM reports
WHERE CAST(:since AS timestamptz) IS NULL OR created_at >= :since
GROUP BY GROUPING SETS ((district_id), (category_id), (department_id), ())
"""


# "Ist der Mangel behoben?" (app.feedback) per department that resolved, by the time of the
# resolution: how many resolutions the reporter was asked about, and their answers.
FEEDBACK_SQL = """
SELECT GROUPING(department_id) AS g_department, department_id,
       count(*) AS asked,
       count(*) FILTER (WHERE answer = 'confirmed') AS confirmed,
       count(*) FILTER (WHERE answer = 'reopened') AS reopened
FROM resolution_feedback
WHERE CAST(:since AS timestamptz) IS NULL OR resolved_at >= :since
GROUP BY GROUPING SETS ((department_id), ())
"""


def compute(now: datetime | None = None) -> dict:
    """All figures for every period, with names, as plain JSON data."""
    now = now or datetime.now(UTC)
    names = {
        key: {id_: (code, name) for id_, code, name in db.session.execute(select(*columns))}
        for key, columns in DIMENSIONS.items()
    }
    periods = {}
    for key, days in PERIODS.items():
        since = now - timedelta(days=days) if days else None
        sql = FIGURES_SQL.format(open_statuses=sql_in(OPEN_STATUSES))
        rows = db.session.execute(text(sql), {"since": since}).mappings().all()
        periods[key] = _arrange(rows, names)
        periods[key]["feedback"] = _feedback(since, names["department"])
    return {"computed_at": now.isoformat(), "periods": periods}


def _feedback(since: datetime | None, departments: dict) -> dict:
    """Per department and in total: resolutions asked about, and the shares (in per cent, one
    decimal) the reporters confirmed and reopened; the rest is unanswered."""
    result: dict = {"total": None, "department": []}
    for row in db.session.execute(text(FEEDBACK_SQL), {"since": since}).mappings():
        asked, confirmed, reopened = row["asked"], row["confirmed"], row["reopened"]
        figures = {
            "asked": asked,
            "confirmed": confirmed,
            "reopened": reopened,
            "confirmed_share": round(100 * confirmed / asked, 1) if asked else None,
            "reopened_share": round(100 * reopened / asked, 1) if asked else None,
        }
        if row["g_department"]:
            result["total"] = figures
            continue
        code, name = departments.get(row["department_id"], ("?", "?"))
        result["department"].append({"code": code, "name": name, **figures})
    result["department"].sort(key=lambda item: item["name"])
    return result


def _arrange(rows: Sequence[RowMapping], names: dict) -> dict:
    result: dict = {"total": None, **{key: [] for key in DIMENSIONS}}
    for row in rows:
        figures = {f: _rounded(row[f]) for f in FIGURES}
        grouped_by = [key for key in DIMENSIONS if row[f"g_{key}"] == 0]
        if not grouped_by:
            result["total"] = figures
            continue
        key = grouped_by[0]
        code, name = names[key].get(row[f"{key}_id"], ("?", "?"))
        result[key].append({"code": code, "name": name, **figures})
    for key in DIMENSIONS:
        result[key].sort(key=lambda item: item["name"])
    return result


def _rounded(value: object) -> float | int | None:
    if value is None:
        return None
    if isinstance(value, float):
        return round(value, 1)
    return int(value) if isinstance(value, int | Decimal) else None


def refresh() -> StatisticsSnapshot:
    """Compute and store a new snapshot, replacing older ones (the caller commits)."""
    snapshot = StatisticsSnapshot(figures=compute(), computed_at=datetime.now(UTC))
    db.session.execute(delete(StatisticsSnapshot))
    db.session.add(snapshot)
    db.session.flush()
    return snapshot


def latest() -> StatisticsSnapshot | None:
    return db.session.scalars(
        select(StatisticsSnapshot).order_by(StatisticsSnapshot.computed_at.desc()).limit(1)
    ).first()


def refresh_if_stale(max_age: int) -> StatisticsSnapshot | None:
    """A new snapshot if there is none or it is older than max_age seconds, else None. Holds an
    advisory lock until the caller's commit, so several workers never compute it twice."""
    locked = db.session.scalar(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": REFRESH_LOCK})
    # Another worker may be computing it now, or may have just finished: check after locking.
    if not locked or not _is_stale(latest(), max_age):
        return None
    return refresh()


def _is_stale(snapshot: StatisticsSnapshot | None, max_age: int) -> bool:
    if snapshot is None:
        return True
    return datetime.now(UTC) - snapshot.computed_at > timedelta(seconds=max_age)
