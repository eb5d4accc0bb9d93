"""Benchmark: how long `flask demo generate` takes for N reports (default 1,000,000).

Runs against a separate database (maengelmelder_bench on the project-local cluster, or
BENCH_DATABASE_URL), which it creates, migrates and empties first. Prints the figures.

    .venv/bin/python bench/generate.py [--count N]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import create_app
from app.demo import service
from app.extensions import db
from config import Config, _local_db


def bench_url() -> str:
    url = os.environ.get("BENCH_DATABASE_URL") or _local_db("maengelmelder_bench")
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        name = make_url(url).database
        exists = connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
        )
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=1_000_000)
    args = parser.parse_args()

    class BenchConfig(Config):
        SQLALCHEMY_DATABASE_URI = bench_url()

    app = create_app(BenchConfig)
    with app.app_context():
        upgrade()
        db.session.execute(text("TRUNCATE reports RESTART IDENTITY CASCADE"))
        service.load_city()
        db.session.commit()
        started = time.perf_counter()
        added = service.generate_reports(args.count)
        db.session.commit()
        elapsed = time.perf_counter() - started
        size = db.session.scalar(text("SELECT pg_size_pretty(pg_total_relation_size('reports'))"))
    print(f"demo generate: {added:,} reports in {elapsed:.1f} s ({added / elapsed:,.0f} per s)")
    print(f"reports table with indexes: {size}")


if __name__ == "__main__":
    main()
