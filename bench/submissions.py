"""Benchmark: Open311 submissions without photos (POST /open311/v2/requests.json, half of them
with the reporter's address, so a receipt as well as the department's mail is written) through
gunicorn, with 8 and 32 concurrent clients on the same machine. Prints submissions per second
and p50/p95/p99 of the round trip; the floor is the same statements, captured from the app,
replayed over bare psycopg connections at the same concurrency (one transaction each).
Checks that the case numbers stay without gaps. Goal (issue 18): >= 200/s with p99 < 150 ms
at 8 clients, >= 170/s with p99 < 400 ms at 32.

Its own database (BENCH_SUBMISSIONS_DATABASE_URL, else maengelmelder_bench_submissions on the
local cluster), filled once with --background reports; every run adds its submissions.

    .venv/bin/python bench/submissions.py [--requests 1000] [--workers 4] [--profile 300]
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import http.client
import pstats
import random
import secrets
import threading
import time
import urllib.parse
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import psycopg
from common import bench_config, percentile, report
from endpoints import start_gunicorn
from flask_migrate import upgrade
from sqlalchemy import event, text
from sqlalchemy.engine import make_url

from app import create_app
from app.demo import service as demo
from app.extensions import db
from app.open311.filing import create_api_key

PATH = "/open311/v2/requests.json"
GOALS = {8: (200, 150), 32: (170, 400)}  # clients: (submissions per second, p99 ms)
SEED = 18


def prepare(background: int) -> tuple[str, list[dict]]:
    """A fresh API key and request bodies at places where reports are."""
    upgrade()
    if db.session.scalar(text("SELECT count(*) FROM reports")) < background:
        db.session.execute(text("TRUNCATE reports, map_cells, map_months RESTART IDENTITY CASCADE"))
        demo.load_city()
        db.session.commit()
        demo.generate_reports(background)
    _, key = create_api_key(f"Bench {secrets.token_hex(4)}")
    db.session.commit()
    places = db.session.execute(
        text("SELECT ST_Y(location), ST_X(location) FROM reports ORDER BY random() LIMIT 500")
    ).all()
    codes = list(db.session.scalars(text("SELECT code FROM categories WHERE active")))
    rng = random.Random(SEED)
    bodies = []
    for i, (lat, lon) in enumerate(places):
        body = {
            "service_code": rng.choice(codes),
            "lat": f"{lat:.6f}",
            "long": f"{lon:.6f}",
            "description": "Bench: Die Straßenlaterne vor dem Haus ist seit Tagen dunkel.",
        }
        if i % 2:
            body |= {"email": f"melder{i}@example.org", "first_name": "Erika", "last_name": "M."}
        bodies.append(body)
    return key, bodies


def concurrently(requests: int, clients: int, connect: Callable, one: Callable) -> tuple:
    """(wall seconds, ms of each call) of `requests` calls one(connection, n), shared by
    `clients` threads with a connection each."""
    counter = iter(range(requests))
    lock = threading.Lock()

    def worker(_: int) -> list[float]:
        times = []
        with connect() as connection:
            while True:
                with lock:
                    n = next(counter, None)
                if n is None:
                    return times
                started = time.perf_counter()
                one(connection, n)
                times.append((time.perf_counter() - started) * 1000)

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        times = [t for part in pool.map(worker, range(clients)) for t in part]
    return time.perf_counter() - started, times


def drive(port: int, key: str, bodies: list[dict], requests: int, clients: int) -> tuple:
    """`requests` POSTs from `clients` at once through gunicorn."""
    headers = {"X-Api-Key": key, "Content-Type": "application/x-www-form-urlencoded"}
    encoded = [urllib.parse.urlencode(b) for b in bodies]

    def connect() -> contextlib.closing:
        return contextlib.closing(http.client.HTTPConnection("127.0.0.1", port, timeout=60))

    def post(connection: http.client.HTTPConnection, n: int) -> None:
        connection.request("POST", PATH, encoded[n % len(encoded)], headers)
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            raise SystemExit(f"HTTP {response.status}")

    return concurrently(requests, clients, connect, post)


def captured(app, key: str, bodies: list[dict], count: int = 20) -> list[list[tuple]]:
    """The statements (with parameters) the app sends for `count` submissions."""
    client = app.test_client()
    runs: list[list[tuple]] = []

    def seen(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        runs[-1].append((statement, dict(parameters or {})))

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", seen)
    try:
        for body in bodies[:count]:
            runs.append([])
            assert client.post(PATH, data=body, headers={"X-Api-Key": key}).status_code == 200
    finally:
        with app.app_context():
            event.remove(db.engine, "before_cursor_execute", seen)
    return runs


def replay(url: str, runs: list[list[tuple]], requests: int, clients: int) -> tuple:
    """The floor: the captured statements, one transaction per submission, over bare psycopg.
    What must be new each time is: the tracking-token hash and Message-IDs fresh, the new
    report's id wherever the captured one was."""
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    # The captured report's id: the case number statement names it.
    ids = [next(p["id"] for s, p in run if "case_counters" in s) for run in runs]

    def submission(connection: psycopg.Connection, n: int) -> None:
        report_id = None
        with connection.transaction(), connection.cursor() as cursor:
            for statement, parameters in runs[n % len(runs)]:
                values = {
                    k: report_id if v == ids[n % len(runs)] else v for k, v in parameters.items()
                }
                if "token_hash" in values:
                    values["token_hash"] = secrets.token_hex(32)
                if "message_id" in values:
                    values["message_id"] = f"<{secrets.token_hex(16)}@bench>"
                cursor.execute(statement, values)
                if "INSERT INTO reports" in statement:
                    report_id = cursor.fetchone()[0]  # type: ignore[index]

    return concurrently(requests, clients, lambda: psycopg.connect(dsn), submission)


def counter() -> int:
    year = "CAST(extract(year FROM now() AT TIME ZONE 'Europe/Berlin') AS int)"
    found = db.session.scalar(text(f"SELECT last FROM case_counters WHERE year = {year}"))
    db.session.commit()
    return found or 0


def gap_free(before: int) -> bool:
    """The numbers given since the counter stood at `before` count on by one, to the counter."""
    numbers = db.session.execute(
        text(
            """SELECT count(*), min(n), max(n) FROM (
                   SELECT CAST(split_part(case_number, '-', 2) AS int) AS n FROM reports
                   WHERE case_number LIKE to_char(now() AT TIME ZONE 'Europe/Berlin', 'YYYY-%')
               ) AS t WHERE n > :before"""
        ),
        {"before": before},
    ).one()
    return tuple(numbers) == (counter() - before, before + 1, counter())


def profile(app, key: str, bodies: list[dict], count: int) -> None:
    """cProfile of `count` submissions in-process: where the Python time goes."""
    client = app.test_client()
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for i in range(count):
        client.post(PATH, data=bodies[i % len(bodies)], headers={"X-Api-Key": key})
    profiler.disable()
    print(f"in-process: {(time.perf_counter() - started) / count * 1000:.2f} ms per submission")
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1000, help="per concurrency level")
    parser.add_argument("--clients", type=int, nargs="+", default=[8, 32])
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--background", type=int, default=100_000)
    parser.add_argument("--port", type=int, default=5098)
    parser.add_argument("--profile", type=int, help="profile this many in-process instead")
    args = parser.parse_args()

    config = bench_config("maengelmelder_bench_submissions", "BENCH_SUBMISSIONS_DATABASE_URL")
    config.RATELIMIT_ENABLED = True
    config.RATELIMIT_OPEN311_KEY = "1000000 per minute"
    app = create_app(config)
    with app.app_context():
        key, bodies = prepare(args.background)
    if args.profile:
        profile(app, key, bodies, args.profile)
        return
    runs = captured(app, key, bodies)
    with app.app_context():
        before = counter()
    server = start_gunicorn(args.port, args.workers, "wsgi_submissions:app")
    try:
        for clients in args.clients:
            drive(args.port, key, bodies, clients * 4, clients)  # warm-up
            wall, times = drive(args.port, key, bodies, args.requests, clients)
            floor_wall, floor = replay(config.SQLALCHEMY_DATABASE_URI, runs, args.requests, clients)
            rate, floor_rate = len(times) / wall, len(floor) / floor_wall
            goal_rate, goal_p99 = GOALS.get(clients, (0, float("inf")))
            met = rate >= goal_rate and percentile(times, 99) < goal_p99
            print(
                f"submissions, {clients} clients, {args.workers} gunicorn workers: {rate:.0f}/s "
                f"(bare SQL {floor_rate:.0f}/s; goal >= {goal_rate}/s, p99 < {goal_p99} ms: "
                f"{'met' if met else 'MISSED'})",
                flush=True,
            )
            name = f"submissions {clients} clients"
            per, floor_per = 1000 * wall / len(times), 1000 * floor_wall / len(floor)
            report(f"{name}, ms per submission", per, "ms", floor_per)
            for p in (50, 95, 99):
                report(f"{name}, p{p}", percentile(times, p), "ms", percentile(floor, p))
    finally:
        server.terminate()
        server.wait(timeout=10)
    with app.app_context():
        print(f"case numbers without gaps: {'yes' if gap_free(before) else 'NO'}")


if __name__ == "__main__":
    main()
