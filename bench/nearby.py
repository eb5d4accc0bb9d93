"""Benchmark: GET /api/v1/nearby ("Schon gemeldet?") on the bench database (fill it with
bench/generate.py: 1,000,000 reports). In-process through Flask's test client, at random points
in the city (where the reports are dense and where they are sparse) with a random category:
p50/p95/p99 of the whole request and the median of the bare SQL (summed cursor time), and how
many reports an answer lists on average. Goal: p95 < 50 ms.

    .venv/bin/python bench/nearby.py [--requests 500]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from common import bench_config, database_time, percentile
from sqlalchemy import select, text

from app import create_app
from app.extensions import db
from app.models import Category, Report

GOAL_P95_MS = 50.0
SEED = 17


def points(count: int) -> list[tuple[float, float]]:
    """Half at existing reports (where a citizen stands in front of a known defect), half
    anywhere in the city's bounding box."""
    rng = random.Random(SEED)
    at_reports = db.session.execute(
        text(
            "SELECT ST_Y(location), ST_X(location) FROM reports TABLESAMPLE SYSTEM (1) "
            "REPEATABLE (17) LIMIT :n"
        ),
        {"n": count // 2},
    ).all()
    box = db.session.execute(
        text(
            "SELECT ST_YMin(e), ST_YMax(e), ST_XMin(e), ST_XMax(e) FROM "
            "(SELECT ST_Extent(geom) AS e FROM districts) b"
        )
    ).one()
    anywhere = [
        (rng.uniform(box[0], box[1]), rng.uniform(box[2], box[3]))
        for _ in range(count - len(at_reports))
    ]
    return [(float(a), float(b)) for a, b in at_reports] + anywhere


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=500)
    options = parser.parse_args()
    app = create_app(bench_config())
    with app.app_context():
        total = db.session.scalar(select(Report.id).order_by(Report.id.desc()).limit(1)) or 0
        codes = list(db.session.scalars(select(Category.code).where(Category.active)))
        spots = points(options.requests)
    client = app.test_client()
    rng = random.Random(SEED)
    times: list[float] = []
    listed: list[int] = []
    with app.app_context(), database_time(db.engine) as sql:
        for lat, lon in spots[:20]:  # warm-up
            client.get(f"/api/v1/nearby?lat={lat}&lon={lon}&category={rng.choice(codes)}")
        first = len(sql)
        for lat, lon in spots:
            sql.append(0.0)
            started = time.perf_counter()
            answer = client.get(f"/api/v1/nearby?lat={lat}&lon={lon}&category={rng.choice(codes)}")
            times.append((time.perf_counter() - started) * 1000)
            assert answer.status_code == 200, answer.get_data(as_text=True)
            listed.append(len(answer.get_json()["reports"]))
        sql_ms = statistics.median(sql[first:]) * 1000
    p95 = percentile(times, 95)
    print(f"GET /api/v1/nearby, {len(times)} requests, about {total:,} reports")
    print(
        f"  p50 {percentile(times, 50):.1f} ms, p95 {p95:.1f} ms, p99 {percentile(times, 99):.1f}"
        f" ms; SQL median {sql_ms:.1f} ms; {statistics.mean(listed):.1f} reports per answer"
    )
    print(f"  goal p95 < {GOAL_P95_MS:.0f} ms: {'met' if p95 < GOAL_P95_MS else 'NOT met'}")


if __name__ == "__main__":
    main()
