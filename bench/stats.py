"""Benchmark: the statistics snapshot of /transparenz (app.stats.service.compute) on the bench
database, against the same statements run bare over psycopg. Read-only: the snapshot is
computed, not stored, so it can run while others measure on the same database.

    .venv/bin/python bench/stats.py [--rounds 3]
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
    """The figures' and the feedback's statements for every period, as compute() runs them."""
    figures = service.FIGURES_SQL.format(open_statuses=sql_in(OPEN_STATUSES))
    with psycopg.connect(url) as connection:
        for days in service.PERIODS.values():
            since = now - timedelta(days=days) if days else None
            for sql in (figures, service.FEEDBACK_SQL):
                connection.execute(
                    sql.replace(":since", "%(since)s"), {"since": since}, prepare=False
                ).fetchall()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
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
