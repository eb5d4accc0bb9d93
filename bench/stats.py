"""Benchmark: the statistics snapshot of /transparenz (app.stats.service.compute) on the bench
database, against the same statements run bare over psycopg. Read-only: the snapshot is
computed, not stored, so it can run while others measure on the same database.

    .venv/bin/python bench/stats.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, datetime, timedelta

import psycopg
from common import bench_config, report
from sqlalchemy.engine import make_url

from app import create_app
from app.extensions import db
from app.models.status import OPEN_STATUSES, sql_in
from app.stats import service


def bare(url: str, now: datetime) -> None:
    """The statements compute() runs: the figures' once (with its work_mem), the feedback's for
    every period."""
    bounded = sorted(days for days in service.PERIODS.values() if days)
    age = " ".join(f"WHEN created_at >= %(since_{i})s THEN {i}" for i in range(len(bounded)))
    figures = service.FIGURES_SQL.format(
        open_statuses=sql_in(OPEN_STATUSES), age=f"CASE {age} ELSE {len(bounded)} END"
    )
    params = {f"since_{i}": now - timedelta(days=days) for i, days in enumerate(bounded)}
    with psycopg.connect(url) as connection:
        connection.execute(f"SET work_mem = '{service.HASH_WORK_MEM}'")
        connection.execute(figures, params, prepare=False).fetchall()
        for days in service.PERIODS.values():
            since = now - timedelta(days=days) if days else None
            connection.execute(
                service.FEEDBACK_SQL.replace(":since", "%(since)s"), {"since": since}, prepare=False
            ).fetchall()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    app = create_app(bench_config())
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).set(drivername="postgresql")
    plain = url.render_as_string(hide_password=False)
    app_times, bare_times = [], []
    with app.app_context():
        count = db.session.scalar(db.text("SELECT count(*) FROM reports"))
        for _ in range(args.rounds):
            now = datetime.now(UTC)
            started = time.perf_counter()
            service.compute(now)
            db.session.rollback()
            app_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            bare(plain, now)
            bare_times.append(time.perf_counter() - started)
    print(f"statistics snapshot over {count:,} reports, median of {args.rounds}")
    report(
        "statistics snapshot recompute",
        statistics.median(app_times),
        "s",
        floor=statistics.median(bare_times),
    )


if __name__ == "__main__":
    main()
