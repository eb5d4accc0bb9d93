"""The transparency medians come from duration buckets in one pass over the reports; they must
show exactly what percentile_cont over the sorted durations shows, rounded the same way, also for
durations on a rounding bound, pairs around one, below zero and missing."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from app.extensions import db
from app.models.status import OPEN_STATUSES, sql_in
from app.stats import service
from app.stats.medians import median_days

# The statement the page used before the buckets (one per period, sorting every duration).
REFERENCE_SQL = """
SELECT GROUPING(d.code) AS g_district, GROUPING(c.code) AS g_category,
       GROUPING(p.code) AS g_department, d.code AS district, c.code AS category,
       p.code AS department,
       count(*) AS received,
       count(*) FILTER (WHERE r.status IN ({open_statuses})) AS open,
       count(*) FILTER (WHERE r.status = 'resolved') AS resolved,
       percentile_cont(0.5) WITHIN GROUP (
           ORDER BY extract(epoch FROM r.first_reaction_at - r.created_at)) / 86400
           AS reaction_days,
       percentile_cont(0.5) WITHIN GROUP (
           ORDER BY CASE WHEN r.status = 'resolved'
                    THEN extract(epoch FROM r.closed_at - r.created_at) END) / 86400
           AS resolution_days
FROM reports r JOIN districts d ON d.id = r.district_id
     JOIN categories c ON c.id = r.category_id JOIN departments p ON p.id = r.department_id
WHERE CAST(:since AS timestamptz) IS NULL OR r.created_at >= :since
GROUP BY GROUPING SETS ((d.code), (c.code), (p.code), ())
"""

DAY = 86_400_000_000  # microseconds
TENTH = DAY // 10
# Durations in microseconds where rounding is delicate: on a bound between two tenths (0.05,
# 0.15, 0.25, 0.35, 0.75 days: float rounding goes either way), a microsecond either side of one
# (two of them average to the bound), zero, below zero ("-0,0") and a plain one.
NASTY = [
    *(TENTH * k + TENTH // 2 + shift for k in (0, 1, 2, 3, 7, 42) for shift in (-1, 0, 1)),
    0,
    -1,
    -TENTH // 2,
    -TENTH // 2 - 1,
    3 * DAY + 123_456,
]


def reference(now: datetime) -> dict:
    """{period: {(dimension, code): figures}} by the old statement."""
    result: dict = {}
    sql = REFERENCE_SQL.format(open_statuses=sql_in(OPEN_STATUSES))
    for period, days in service.PERIODS.items():
        since = now - timedelta(days=days) if days else None
        figures = {}
        for row in db.session.execute(text(sql), {"since": since}).mappings():
            grouped = [key for key in service.DIMENSIONS if row[f"g_{key}"] == 0]
            key = (grouped[0], row[grouped[0]]) if grouped else ("total", None)
            figures[key] = {
                "received": row["received"],
                "open": row["open"],
                "resolved": row["resolved"],
                "reaction_days": _rounded(row["reaction_days"]),
                "resolution_days": _rounded(row["resolution_days"]),
            }
        result[period] = figures
    return result


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def computed(now: datetime) -> dict:
    result: dict = {}
    for period, figures in service.compute(now)["periods"].items():
        flat = {("total", None): figures["total"]}
        for key in service.DIMENSIONS:
            for item in figures[key]:
                flat[key, item["code"]] = {
                    name: value for name, value in item.items() if name not in ("code", "name")
                }
        result[period] = flat
    return result


def shown(figures: dict) -> dict:
    """As the page prints them: "-0,0" and "0,0" differ."""
    return {
        period: {key: {name: repr(value) for name, value in f.items()} for key, f in groups.items()}
        for period, groups in figures.items()
    }


@pytest.fixture
def reports(app):
    result = app.test_cli_runner().invoke(args=["demo", "generate", "--count", "300"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_medians_match_percentile_cont_on_delicate_durations(reports, seed):
    rng = random.Random(seed)
    ids = db.session.scalars(text("SELECT id FROM reports ORDER BY id")).all()
    for id_ in ids:
        reaction = rng.choice([*NASTY, None])
        db.session.execute(
            text(
                "UPDATE reports SET first_reaction_at = created_at + :r * interval '1 microsecond',"
                " closed_at = created_at + :c * interval '1 microsecond' WHERE id = :id"
            ),
            {"r": reaction, "c": rng.choice(NASTY), "id": id_},
        )
    now = datetime.now(UTC)
    assert shown(computed(now)) == shown(reference(now))


def test_figures_of_the_generated_reports_match_percentile_cont(reports):
    now = datetime.now(UTC)
    assert shown(computed(now)) == shown(reference(now))


def test_an_empty_database_has_a_total_of_nothing():
    figures = service.compute()["periods"]["alle"]
    assert figures["total"] == {
        "received": 0,
        "open": 0,
        "resolved": 0,
        "reaction_days": None,
        "resolution_days": None,
    }
    assert figures["district"] == figures["category"] == figures["department"] == []


SECOND = 1_000_000


def test_median_of_no_durations_is_none():
    assert median_days([]) is None


def test_odd_count_shows_the_middle_bucket():
    # 0.2 days (two durations) and 1.0 day (one): the middle one is in the first bucket.
    assert median_days([(1, DAY, DAY), (2, 17280 * SECOND, 17290 * SECOND)]) == 0.2


def test_even_count_in_one_bucket_shows_that_bucket_else_the_mean():
    # Four durations: two around 1 day, two at 3 days; the middle two are the 1-day bucket's
    # longest and the 3-day bucket's shortest: 2 days.
    assert median_days([(2, DAY - 5, DAY + 5), (2, 3 * DAY, 3 * DAY)]) == 2.0
    # Three around 1 day, one at 3 days: both middle durations lie in the 1-day bucket.
    assert median_days([(3, DAY - 5, DAY + 5), (1, 3 * DAY, 3 * DAY)]) == 1.0


def test_even_count_across_buckets_interpolates_the_two_middle_durations():
    # The longest of the lower bucket and the shortest of the upper one are 0.24 and 0.36
    # days: their mean, 0.3 days, lies in a bucket that holds no duration at all.
    low = (1, 20000 * SECOND, int(0.24 * DAY))
    high = (1, int(0.36 * DAY), int(0.38 * DAY))
    assert median_days([high, low]) == 0.3
