"""Benchmark: the public map (GET /api/v1/map) under load, every viewport and filter of
bench/endpoints.py, against its floor: the same SQL statements replayed over bare psycopg
connections by as many concurrent clients.

For each scenario, p50 and p95 of the round trip through gunicorn, next to p50 and p95 of the
request's statements replayed bare (captured from one in-process request, run in one transaction
like the app's). The difference is what Flask, the service, GeoJSON and HTTP add.

    .venv/bin/python bench/map_load.py [--requests 60] [--clients 4] [--workers 4] [--only city]
"""

from __future__ import annotations

import argparse
import time
from concurrent.futures import ThreadPoolExecutor

import psycopg
from common import bench_config, percentile, report
from endpoints import drive, scenarios, start_gunicorn
from sqlalchemy import event
from sqlalchemy.engine import make_url

from app import create_app
from app.extensions import db

Statements = list[tuple[str, dict]]


def captured(app, path: str) -> Statements:
    """The statements (with their parameters) of one request to `path`, as psycopg gets them."""
    found: Statements = []

    def keep(conn, cursor, statement, parameters, context, executemany):
        found.append((statement, parameters))

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", keep)
        try:
            assert app.test_client().get(path).status_code == 200, path
        finally:
            event.remove(db.engine, "before_cursor_execute", keep)
    return found


def replay(dsn: str, statements: Statements, requests: int, clients: int) -> list[float]:
    """ms per replay of all statements in one transaction, from `clients` connections."""

    def worker(count: int) -> list[float]:
        times = []
        with psycopg.connect(dsn) as connection:
            for _ in range(count):
                started = time.perf_counter()
                with connection.cursor() as cursor:
                    for statement, parameters in statements:
                        cursor.execute(statement, parameters)
                        if cursor.description:
                            cursor.fetchall()
                connection.rollback()
                times.append((time.perf_counter() - started) * 1000)
        return times

    share = [requests // clients + (1 if i < requests % clients else 0) for i in range(clients)]
    with ThreadPoolExecutor(clients) as pool:
        return [t for part in pool.map(worker, share) for t in part]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--clients", type=int, default=4)
    # One sync worker per client, as each client has its own bare connection for the floor:
    # with fewer, a request waits for another's worker and the wait counts as overhead.
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=5098)
    parser.add_argument("--only", default="", help="scenarios whose name starts with this")
    args = parser.parse_args()

    config = bench_config()
    app = create_app(config)
    dsn = make_url(config.SQLALCHEMY_DATABASE_URI).set(drivername="postgresql")
    dsn_text = dsn.render_as_string(hide_password=False)
    found = [s for s in scenarios("map") + scenarios("default map") if s[0].startswith(args.only)]
    server = start_gunicorn(args.port, args.workers)
    print(f"{args.clients} clients, {args.requests} requests per scenario; ms (bare SQL)")
    worst = 0.0
    try:
        for name, path in found:
            statements = captured(app, path)
            replay(dsn_text, statements, args.clients, args.clients)  # warm-up
            bare = replay(dsn_text, statements, args.requests, args.clients)
            drive(args.port, path, args.clients, args.clients)
            _, round_trip, _ = drive(args.port, path, args.requests, args.clients)
            for p in (50, 95):
                report(
                    f"{name}, {args.clients} clients p{p}",
                    percentile(round_trip, p),
                    "ms",
                    percentile(bare, p),
                )
            worst = max(worst, percentile(round_trip, 95))
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"worst p95 of the map: {worst:.1f} ms")


if __name__ == "__main__":
    main()
