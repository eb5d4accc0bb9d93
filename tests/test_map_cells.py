"""The map rollups must always equal a fresh count of the reports, on every level they keep:
after a bulk load (set-based) and after single inserts, changes and deletes (trigger)."""

from __future__ import annotations

from sqlalchemy import select, text

from app.extensions import db
from app.models import Report
from app.models.map_cell import COARSEST_LEVEL, FINEST_LEVEL, MONTH_STATUS_FINEST_LEVEL
from tests.helpers import category_id

MONTH = "date_trunc('month', created_at AT TIME ZONE 'Europe/Berlin')::date"
KEYS = {
    "map_cells": "category_id, district_id, status",
    "map_months": "month",
    "map_month_statuses": "month, status",
}
VALUES = {
    "map_cells": KEYS["map_cells"],
    "map_months": MONTH,
    "map_month_statuses": f"{MONTH}, status",
}
FINEST = {"map_month_statuses": MONTH_STATUS_FINEST_LEVEL}


def assert_cells_match_reports() -> None:
    for table, keys in KEYS.items():
        levels = {"finest": FINEST.get(table, FINEST_LEVEL), "coarsest": COARSEST_LEVEL}
        fresh = db.session.execute(
            text(
                f"""
                SELECT lvl, px >> lvl, py >> lvl, {VALUES[table]}, count(*),
                       round(sum(ST_X(location))::numeric, 6),
                       round(sum(ST_Y(location))::numeric, 6)
                FROM reports,
                     generate_series(CAST(:finest AS int), CAST(:coarsest AS int)) AS lvl
                GROUP BY 1, 2, 3, {VALUES[table]} ORDER BY 1, 2, 3, {VALUES[table]}
                """
            ),
            levels,
        ).all()
        kept = db.session.execute(
            text(
                f"""
                SELECT level, cx, cy, {keys}, n, round(sum_lon::numeric, 6),
                       round(sum_lat::numeric, 6)
                FROM {table} WHERE n > 0 ORDER BY 1, 2, 3, {keys}
                """
            )
        ).all()
        assert [tuple(r) for r in kept] == [tuple(r) for r in fresh], table
        assert fresh  # something was counted


def test_bulk_generated_reports_are_counted(app):
    result = app.test_cli_runner().invoke(args=["demo", "generate", "--count", "400"])
    assert result.exit_code == 0, result.output
    assert_cells_match_reports()
    app.test_cli_runner().invoke(args=["demo", "generate", "--count", "100"])
    assert_cells_match_reports()


def test_single_reports_are_counted_by_the_trigger(app, make_report):
    app.test_cli_runner().invoke(args=["demo", "generate", "--count", "50"])
    report = make_report(description="x")
    assert_cells_match_reports()

    report.status = "in_progress"
    db.session.flush()
    assert_cells_match_reports()

    other = db.session.scalars(select(Report).where(Report.id != report.id).limit(1)).one()
    other.category_id = category_id("muell")
    db.session.flush()
    assert_cells_match_reports()

    db.session.delete(report)
    db.session.flush()
    assert_cells_match_reports()
