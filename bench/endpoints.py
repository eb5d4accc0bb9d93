"""Benchmark: the public endpoints through gunicorn, with concurrent clients, on the bench
database (fill it first with bench/generate.py).

For every scenario it prints p50/p95/p99 of the server time (Server-Timing header), of the
round trip seen by the client, the answer size, and the time of the bare SQL behind it (summed
cursor time of the same request run in-process), so the cost of the layers above the database
is visible.

    .venv/bin/python bench/endpoints.py [--requests 60] [--clients 4] [--workers 3] [--only map]
"""

from __future__ import annotations

import argparse
import http.client
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

from common import ROOT, bench_config, database_time, percentile

from app import create_app
from app.extensions import db

CITY = "6.95,51.11,7.18,51.23"
VIEWS = {
    "city z11": f"bbox={CITY}&zoom=11",
    "city z13": f"bbox={CITY}&zoom=13",
    "district z14": "bbox=7.02,51.14,7.12,51.20&zoom=14",
    "quarter z16": "bbox=7.070,51.162,7.095,51.178&zoom=16",
    "street z17": "bbox=7.076,51.167,7.089,51.174&zoom=17",
    "street z18": "bbox=7.080,51.169,7.086,51.172&zoom=18",
    "street z19 phone": "bbox=7.0820,51.1700,7.0840,51.1710&zoom=19",
}
today = date.today()
FILTERS = {
    "no filter": "",
    "category": "&category=licht",
    "status open": "&status=open",
    "district": "&district=2",
    "last 30 days": f"&since={today - timedelta(days=30)}",
    "last 365 days": f"&since={today - timedelta(days=365)}",
    "a year, mid-month": f"&since={today - timedelta(days=400)}&until={today - timedelta(days=35)}",
}
PERIOD_AND_FILTER = {
    "open, last 365 days": f"&status=open&since={today - timedelta(days=365)}",
    "category, last 365 days": f"&category=strasse&since={today - timedelta(days=365)}",
}


def scenarios(only: str | None) -> list[tuple[str, str]]:
    found = []
    for view, bbox in VIEWS.items():
        for name, query in FILTERS.items():
            found.append((f"map {view}, {name}", f"/api/v1/map?{bbox}{query}"))
    for name, query in PERIOD_AND_FILTER.items():
        found.append((f"map city z13, {name}", f"/api/v1/map?{VIEWS['city z13']}{query}"))
    # The start page's and the list's default, "current" (open plus resolved in the last 30
    # days), next to "open", which the rollups alone answer.
    for status in ("current", "open"):
        for view, bbox in VIEWS.items():
            found.append((f"default map {view}, {status}", f"/api/v1/map?{bbox}&status={status}"))
        found.append((f"default list, {status}", f"/meldungen?status={status}"))
        found.append((f"default feed, {status}", f"/feeds/meldungen.atom?status={status}"))
    found.append(("default start page", "/"))
    for period in ("30", "365", "alle"):
        found.append((f"transparency {period}", f"/transparenz?zeitraum={period}"))
    open311 = "/open311/v2/requests.json"
    for name, query in {
        "default": "",
        "service_code": "?service_code=licht",
        "status open": "?status=open",
        "start/end date": f"?start_date={today - timedelta(days=60)}T00:00:00Z"
        f"&end_date={today - timedelta(days=30)}T00:00:00Z",
        "bbox": "?bbox=7.07,51.16,7.09,51.18",
        "lat/long/radius": "?lat=51.17&long=7.08&radius=300",
        "page 5": "?page=5&page_size=100",
        "extensions": "?extensions=true",
        "service_request_id": "?service_request_id=2026-000001,2025-000002",
    }.items():
        found.append((f"open311 requests.json {name}", open311 + query))
    return [s for s in found if not only or s[0].startswith(only)]


def start_gunicorn(port: int, workers: int, module: str = "wsgi_bench:app") -> subprocess.Popen:
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--pythonpath",
            f"{ROOT / 'bench'},{ROOT}",
            "--log-level",
            "warning",
            module,
        ],
        cwd=ROOT,
    )
    for _ in range(100):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/api/v1/city.geojson")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not start")


def drive(port: int, path: str, requests: int, clients: int) -> tuple[list, list, int]:
    """Send `requests` GETs from `clients` threads; (server ms, round-trip ms, answer bytes)."""

    def worker(count: int) -> list[tuple[float, float, int]]:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        results = []
        for _ in range(count):
            started = time.perf_counter()
            connection.request("GET", path)
            response = connection.getresponse()
            body = response.read()
            elapsed = (time.perf_counter() - started) * 1000
            if response.status != 200:
                raise SystemExit(f"{path}: HTTP {response.status}")
            timing = response.getheader("Server-Timing", "app;dur=nan")
            results.append((float(timing.split("dur=")[1]), elapsed, len(body)))
        connection.close()
        return results

    share = [requests // clients + (1 if i < requests % clients else 0) for i in range(clients)]
    with ThreadPoolExecutor(clients) as pool:
        rows = [r for part in pool.map(worker, share) for r in part]
    return [r[0] for r in rows], [r[1] for r in rows], max(r[2] for r in rows)


def sql_time(client, path: str, repeat: int = 5) -> float:
    """Median over `repeat` in-process requests of the summed time spent in the database."""
    with database_time(db.engine) as spent:
        for _ in range(repeat):
            spent.append(0.0)
            client.get(path)
    return statistics.median(spent[1:]) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--port", type=int, default=5099)
    parser.add_argument("--only", help="run the scenarios whose name starts with this")
    args = parser.parse_args()

    app = create_app(bench_config())
    client = app.test_client()
    server = start_gunicorn(args.port, args.workers)
    print(
        f"{args.requests} requests per scenario, {args.clients} concurrent clients, "
        f"gunicorn with {args.workers} workers; times in ms"
    )
    print(f"{'scenario':58} {'p50':>6} {'p95':>6} {'p99':>6} {'rt p95':>7} {'KB':>6} {'SQL':>6}")
    worst = 0.0
    try:
        for name, path in scenarios(args.only):
            drive(args.port, path, args.clients, args.clients)  # warm-up
            server_ms, round_trip, size = drive(args.port, path, args.requests, args.clients)
            with app.app_context():
                bare = sql_time(client, path)
            p95 = percentile(server_ms, 95)
            worst = max(worst, p95)
            print(
                f"{name:58} {percentile(server_ms, 50):6.1f} {p95:6.1f} "
                f"{percentile(server_ms, 99):6.1f} {percentile(round_trip, 95):7.1f} "
                f"{size / 1024:6.1f} {bare:6.1f}",
                flush=True,
            )
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"worst p95: {worst:.1f} ms")


if __name__ == "__main__":
    main()
