"""Transparency figures per district, category and department.

The figures need every report (one pass, under a second at a million reports), so the page only
reads a snapshot. A worker
(`flask outbox work`, see app/stats/worker.py) recomputes it once it is older than STATS_MAX_AGE;
`flask stats refresh` and the demo commands recompute it on demand.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, text

from app.extensions import db
from app.models import Category, Department, District, StatisticsSnapshot
from app.models.status import OPEN_STATUSES, sql_in
from app.stats import medians

PERIODS = {"30": 30, "365": 365, "alle": None}
# Each dimension's id, code and German name.
DIMENSIONS = {
    "district": (District.id, District.code, District.name),
    "category": (Category.id, Category.code, Category.name_de),
    "department": (Department.id, Department.code, Department.name),
}
# Only one refresh at a time across all workers.
REFRESH_LOCK = 74210001

# One pass over the reports with hash aggregates (no sort, which took seconds at a million):
# per district × category × department, age class (the shortest period a report falls in; the
# periods add them up) and duration bucket (app/stats/medians.py): the counts and the shortest
# and longest duration. A bucket is a tenth of a day centred on the value shown: date_bin from
# the report's creation minus half a tenth. Part 0: exactly on the bound; part -1: below zero.
# A duration is its bucket's start plus an offset under 2.4 hours, kept as a `time` (exact
# microseconds, and cheaper to compare than an interval).
# The second level adds the combinations up per district, category, department and in total.
FIGURES_SQL = """
WITH combinations AS (
    SELECT GROUPING(reaction_key) AS kind, district_id, category_id, department_id, age,
           CASE WHEN GROUPING(reaction_key) = 0 THEN reaction_key ELSE resolution_key END AS key,
           CASE WHEN GROUPING(reaction_key) = 0 THEN reaction_part ELSE resolution_part END
               AS part,
           count(*) AS received,
           count(*) FILTER (WHERE status IN ({open_statuses})) AS open,
           count(*) FILTER (WHERE status = 'resolved') AS resolved,
           CASE WHEN GROUPING(reaction_key) = 0 THEN min(reaction_offset)
                ELSE min(resolution_offset) END AS shortest,
           CASE WHEN GROUPING(reaction_key) = 0 THEN max(reaction_offset)
                ELSE max(resolution_offset) END AS longest
    FROM (
        SELECT district_id, category_id, department_id, status, {age} AS age,
               (first_reaction_at - reaction_bin)::time AS reaction_offset,
               reaction_bin - created_at AS reaction_key,
               CASE WHEN first_reaction_at = reaction_bin THEN 0
                    WHEN first_reaction_at < created_at THEN -1 ELSE 1 END AS reaction_part,
               (resolved_at - resolution_bin)::time AS resolution_offset,
               resolution_bin - created_at AS resolution_key,
               CASE WHEN resolved_at = resolution_bin THEN 0
                    WHEN resolved_at < created_at THEN -1 ELSE 1 END AS resolution_part
        FROM reports,
             LATERAL (SELECT CASE WHEN status = 'resolved' THEN closed_at END AS resolved_at) r,
             LATERAL (SELECT date_bin(interval '2 hours 24 minutes', first_reaction_at,
                                      created_at - interval '1 hour 12 minutes') AS reaction_bin,
                             date_bin(interval '2 hours 24 minutes', resolved_at,
                                      created_at - interval '1 hour 12 minutes') AS resolution_bin
                     ) b
        OFFSET 0  -- computes each row's bins once, not once per grouping set
    ) durations
    GROUP BY GROUPING SETS (
        (district_id, category_id, department_id, age, reaction_key, reaction_part),
        (district_id, category_id, department_id, age, resolution_key, resolution_part))
)
SELECT GROUPING(district_id, category_id, department_id) AS dimensions,
       district_id, category_id, department_id, age, kind, part,
       sum(received)::bigint AS received, sum(open)::bigint AS open,
       sum(resolved)::bigint AS resolved,
       (extract(epoch FROM key) * 1000000)::bigint AS start,
       (extract(epoch FROM min(shortest)) * 1000000)::bigint AS shortest,
       (extract(epoch FROM max(longest)) * 1000000)::bigint AS longest
FROM combinations
GROUP BY GROUPING SETS ((district_id, age, kind, key, part), (category_id, age, kind, key, part),
                        (department_id, age, kind, key, part), (age, kind, key, part))
"""
# The planner guesses a group per report and, as such hash tables would not fit in work_mem,
# sorts a million rows on disk (seconds); the real tables hold one row per combination, age
# class and bucket (tens of thousands, a few MB), whatever the number of reports.
HASH_WORK_MEM = "256MB"
# GROUPING(district_id, category_id, department_id): a bit for each column added up.
GROUPED_BY = {0b011: "district", 0b101: "category", 0b110: "department", 0b111: None}
REACTION, RESOLUTION = 0, 1


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


@dataclass
class Figures:
    """The counts and duration buckets of one group (a district, …, or all) in one age class."""

    received: int = 0
    open: int = 0
    resolved: int = 0
    buckets: tuple[dict, dict] = field(default_factory=lambda: ({}, {}))

    def add(self, other: Figures) -> None:
        self.received += other.received
        self.open += other.open
        self.resolved += other.resolved
        for mine, theirs in zip(self.buckets, other.buckets, strict=True):
            medians.merge(mine, theirs)

    def shown(self) -> dict:
        return {
            "received": self.received,
            "open": self.open,
            "resolved": self.resolved,
            "reaction_days": medians.median_days(self.buckets[REACTION].values()),
            "resolution_days": medians.median_days(self.buckets[RESOLUTION].values()),
        }


def compute(now: datetime | None = None) -> dict:
    """All figures for every period, with names, as plain JSON data."""
    now = now or datetime.now(UTC)
    names = {
        key: {id_: (code, name) for id_, code, name in db.session.execute(select(*columns))}
        for key, columns in DIMENSIONS.items()
    }
    bounded = sorted(days for days in PERIODS.values() if days)
    groups = _figures_by_age(now, bounded)
    periods = {}
    for key, days in PERIODS.items():
        since = now - timedelta(days=days) if days else None
        ages = bounded.index(days) + 1 if days else len(bounded) + 1
        periods[key] = _arrange(groups, ages, names)
        periods[key]["feedback"] = _feedback(since, names["department"])
    return {"computed_at": now.isoformat(), "periods": periods}


def _figures_by_age(now: datetime, bounded: list[int]) -> dict:
    """{(dimension or None, id): {age class: Figures}} from one statement."""
    age = " ".join(f"WHEN created_at >= :since_{i} THEN {i}" for i in range(len(bounded)))
    sql = FIGURES_SQL.format(
        open_statuses=sql_in(OPEN_STATUSES), age=f"CASE {age} ELSE {len(bounded)} END"
    )
    params = {f"since_{i}": now - timedelta(days=days) for i, days in enumerate(bounded)}
    groups: dict = defaultdict(lambda: defaultdict(Figures))
    with _work_mem(HASH_WORK_MEM):
        rows = db.session.execute(text(sql), params).all()
    position = {key: index for index, key in enumerate(DIMENSIONS)}
    for dimensions, *ids, age, kind, part, received, open_, resolved, start, low, high in rows:
        key = GROUPED_BY[dimensions]
        figures = groups[key, ids[position[key]] if key else None][age]
        if start is not None:
            figures.buckets[kind][start, part] = (received, start + low, start + high)
        if kind == REACTION:  # every report is counted once, under its reaction bucket
            figures.received += received
            figures.open += open_
            figures.resolved += resolved
    return groups


@contextmanager
def _work_mem(value: str) -> Iterator[None]:
    """work_mem for the statements in the block, then back to what it was."""
    before = db.session.scalar(text("SELECT current_setting('work_mem')"))
    db.session.execute(text("SELECT set_config('work_mem', :v, true)"), {"v": value})
    try:
        yield
    finally:
        db.session.execute(text("SELECT set_config('work_mem', :v, true)"), {"v": before})


def _arrange(groups: dict, ages: int, names: dict) -> dict:
    """The figures of the period made of the first `ages` age classes."""
    result: dict = {"total": Figures().shown(), **{key: [] for key in DIMENSIONS}}
    for (key, id_), by_age in groups.items():
        figures = Figures()
        for age in range(ages):
            if age in by_age:
                figures.add(by_age[age])
        if key is None:
            result["total"] = figures.shown()
        elif figures.received:
            code, name = names[key].get(id_, ("?", "?"))
            result[key].append({"code": code, "name": name, **figures.shown()})
    for key in DIMENSIONS:
        result[key].sort(key=lambda item: item["name"])
    return result


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
