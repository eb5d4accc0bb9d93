"""Benchmark: `flask demo generate` for N reports (default 1,000,000) into the bench database.

    .venv/bin/python bench/generate.py [--count N] [--keep]

With --keep, an existing bench database that already holds N reports is left as it is.
Otherwise N / 10 reports are generated first: ten times their time is the floor of N's, so
the ratio says how far from linear the generation is.
"""

from __future__ import annotations

import argparse
import time

from common import bench_config, report
from flask_migrate import upgrade
from sqlalchemy import text

from app import create_app
from app.demo import service
from app.extensions import db
from app.stats.service import refresh


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="keep a bench DB of that size")
    args = parser.parse_args()

    app = create_app(bench_config())
    with app.app_context():
        upgrade()
        have = db.session.scalar(text("SELECT count(*) FROM reports"))
        if args.keep and have == args.count:
            print(f"bench database already holds {have:,} reports: kept")
            return
        tenth = generate(args.count // 10)
        elapsed = generate(args.count)
        started = time.perf_counter()
        refresh()
        db.session.commit()
        stats = time.perf_counter() - started
        size = db.session.scalar(text("SELECT pg_size_pretty(pg_total_relation_size('reports'))"))
        # Index-only scans need the visibility map that VACUUM writes (autovacuum would, later).
        db.session.remove()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            started = time.perf_counter()
            connection.execute(text("VACUUM ANALYZE reports"))
            vacuum = time.perf_counter() - started
    print(f"{args.count // 10:,} reports in {tenth:.1f} s")
    report(f"demo generate {args.count:,} reports", elapsed, "s", floor=10 * tenth)
    print(
        f"statistics snapshot: {stats:.1f} s; VACUUM ANALYZE: {vacuum:.1f} s; "
        f"reports table with indexes: {size}"
    )


def generate(count: int) -> float:
    """Seconds to generate `count` reports into an emptied database."""
    db.session.execute(
        text("TRUNCATE reports, map_cells, map_months, map_month_statuses RESTART IDENTITY CASCADE")
    )
    service.load_city()
    db.session.commit()
    started = time.perf_counter()
    added = service.generate_reports(count)
    db.session.commit()
    elapsed = time.perf_counter() - started
    print(f"demo generate: {added:,} reports in {elapsed:.1f} s ({added / elapsed:,.0f} per s)")
    return elapsed


if __name__ == "__main__":
    main()
