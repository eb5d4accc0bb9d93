"""Benchmark: map throughput with two gunicorn hosts' worth of workers, all reading the primary
vs split over the primary and a streaming read replica (scripts/pg.sh replica start, stopped
again afterwards unless it was running), on the bench database.

Each figure is the time per map answer (wall time / answers, so lower is better) with
`--clients` concurrent clients spread evenly over both hosts and cycling through viewports ×
filters; the floor is the same statements (captured from the app) replayed over bare psycopg
connections with the same clients and the same split.

    .venv/bin/python bench/replica.py [--clients 8] [--workers 2] [--requests 480] [--runs 3]
"""

from __future__ import annotations

import argparse
import http.client
import os
import statistics
import subprocess
import threading
import time
from collections.abc import Callable
from typing import Any

import psycopg
from common import ROOT, bench_config, bench_url, report
from endpoints import FILTERS, VIEWS, start_gunicorn
from sqlalchemy import event
from sqlalchemy.engine import make_url

from app import create_app
from app.extensions import db
from app.replica import MARK
from tests.mailbox import free_port

PATHS = [f"/api/v1/map?{bbox}{query}" for bbox in VIEWS.values() for query in FILTERS.values()]


def pg(*args: str) -> str:
    done = subprocess.run(["bash", "scripts/pg.sh", *args], cwd=ROOT, capture_output=True)
    if done.returncode:
        raise SystemExit(done.stderr.decode())
    return done.stdout.decode()


def replica_url(port: int) -> str:
    return make_url(bench_url()).set(port=port).render_as_string(hide_password=False)


def host(port: int, workers: int, replica: str | None) -> subprocess.Popen:
    """One host's gunicorn; with `replica`, its public reads go there."""
    os.environ.pop("DATABASE_REPLICA_URL", None)
    if replica:
        os.environ["DATABASE_REPLICA_URL"] = replica
    try:
        return start_gunicorn(port, workers)
    finally:
        os.environ.pop("DATABASE_REPLICA_URL", None)


def clients_run(clients: int, requests: int, work: Callable[[int], Callable[[str], None]]) -> float:
    """Wall time per answer (ms): `clients` threads, thread i doing work(i) on its share of the
    paths, round robin."""
    shares = [PATHS * (requests // len(PATHS) // clients + 1) for _ in range(clients)]
    for i, share in enumerate(shares):
        shares[i] = (share[i:] + share[:i])[: requests // clients]
    workers = [work(i) for i in range(clients)]
    threads = [
        threading.Thread(target=lambda s=s, w=w: [w(p) for p in s])
        for s, w in zip(shares, workers, strict=True)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return (time.perf_counter() - started) * 1000 / sum(len(s) for s in shares)


def http_client(ports: list[int]) -> Callable[[int], Callable[[str], None]]:
    def work(i: int) -> Callable[[str], None]:
        connection = http.client.HTTPConnection("127.0.0.1", ports[i % len(ports)], timeout=60)

        def get(path: str) -> None:
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                raise SystemExit(f"{path}: HTTP {response.status}")

        return get

    return work


def captured_statements() -> dict[str, list[tuple[str, Any]]]:
    """The statements behind every path, as the app sends them to PostgreSQL."""
    app = create_app(bench_config())
    client = app.test_client()
    found: dict[str, list[tuple[str, Any]]] = {}
    with app.app_context():

        def keep(conn, cursor, statement, parameters, context, executemany) -> None:
            if MARK not in statement:
                found[current].append((statement, parameters))

        event.listen(db.engine, "before_cursor_execute", keep)
        for current in PATHS:
            found[current] = []
            client.get(current)
        event.remove(db.engine, "before_cursor_execute", keep)
    return found


def bare_client(
    urls: list[str], statements: dict[str, list[tuple[str, Any]]]
) -> Callable[[int], Callable[[str], None]]:
    def work(i: int) -> Callable[[str], None]:
        url = make_url(urls[i % len(urls)])
        connection = psycopg.connect(
            host=url.host, port=url.port, user=url.username, dbname=url.database
        )

        def run(path: str) -> None:
            # One transaction per answer, as in the app (the map's SET LOCAL needs one).
            with connection.transaction(), connection.cursor() as cursor:
                for statement, parameters in statements[path]:
                    cursor.execute(statement, parameters)
                    if cursor.description:
                        cursor.fetchall()

        return run

    return work


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per host")
    parser.add_argument("--requests", type=int, default=480)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    was_running = "Läuft" in pg("replica", "status")
    replica = replica_url(int(pg("replica", "start").split()[-1]))
    primary = bench_url()
    statements = captured_statements()
    # Free ports, not fixed ones: another benchmark's server there would answer instead.
    ports: list[int] = []
    while len(ports) < 2:
        ports = sorted({*ports, free_port()})
    print(
        f"{len(PATHS)} map viewports × filters, {args.clients} clients, 2 hosts × "
        f"{args.workers} gunicorn workers; ms per answer (median of {args.runs} runs)"
    )
    answers: list[float] = []
    try:
        for replicas in ([None, None], [None, replica]):
            servers = [host(p, args.workers, r) for p, r in zip(ports, replicas, strict=True)]
            try:
                clients_run(args.clients, len(PATHS) * 2, http_client(ports))  # warm-up
                app = statistics.median(
                    clients_run(args.clients, args.requests, http_client(ports))
                    for _ in range(args.runs)
                )
            finally:
                for server in servers:
                    server.terminate()
                    server.wait(timeout=10)
            urls = [primary, replicas[1] or primary]
            bare = statistics.median(
                clients_run(args.clients, args.requests, bare_client(urls, statements))
                for _ in range(args.runs)
            )
            label = "primary and replica" if replicas[1] else "primary only"
            report(f"replica: map, 2 hosts, {label}", app, "ms/answer", bare)
            answers.append(app)
        print(f"split over primary and replica: {answers[0] / answers[1]:.2f}× the throughput")
    finally:
        if not was_running:
            pg("replica", "stop")


if __name__ == "__main__":
    main()
