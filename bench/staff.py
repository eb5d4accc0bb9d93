"""Benchmark: the town hall's pages (inbox, queues, a report with its duplicate suggestions,
admin lists) and the retention purge, on the bench database (fill it with bench/generate.py).

Staff pages are seen by few people at once, so this drives them in-process, one request after
another, logged in as the demo accounts: p50/p95/max of the whole request (query, template)
and the time of the bare SQL behind it (summed cursor time, median).

    .venv/bin/python bench/staff.py [--requests 30]
"""

from __future__ import annotations

import argparse
import statistics
import time

from common import bench_config, database_time, percentile
from flask_migrate import upgrade
from sqlalchemy import select

from app import create_app
from app.demo.service import ensure_demo_users
from app.extensions import db
from app.models import Report
from app.privacy.service import purge

HERE = "lat=51.1705&lon=7.0830"  # the phone's position: the city centre
QUEUE = "/staff/warteschlange"
SCENARIOS = [
    ("dispatcher", "inbox (unchecked, oldest first)", "/staff/eingang"),
    ("dispatcher", "queue, all departments, oldest", QUEUE),
    ("dispatcher", "… most urgent", f"{QUEUE}?sortierung=prioritaet"),
    ("dispatcher", "… nearest", f"{QUEUE}?sortierung=naehe&{HERE}"),
    ("crew", "queue street lighting, oldest", QUEUE),
    ("crew", "… most urgent", f"{QUEUE}?sortierung=prioritaet"),
    ("crew", "… nearest", f"{QUEUE}?sortierung=naehe&{HERE}"),
    ("crew", "… status in progress", f"{QUEUE}?status=in_progress"),
    ("crew", "… one district", f"{QUEUE}?district=2"),
    ("crew", "… a filter that matches nothing", f"{QUEUE}?category=muell"),
    ("dispatcher", "report page with duplicate suggestions", "{inbox_report}"),
    ("admin", "districts with report counts", "/admin/bezirke"),
    ("admin", "mail outbox", "/admin/e-mails"),
]


class StaffBenchConfig(bench_config()):  # type: ignore[misc]
    WTF_CSRF_ENABLED = False  # the bench logs in with a plain POST


def logged_in(app, email: str, password: str):
    client = app.test_client()
    answer = client.post("/anmelden", data={"email": email, "password": password})
    assert answer.status_code == 302, f"login of {email} failed: {answer.status_code}"
    return client


def measure(client, path: str, requests: int, sql: list[float]) -> tuple[list[float], float]:
    for _ in range(3):  # warm-up: caches, the first plan
        client.get(path)
    times, first = [], len(sql)
    for _ in range(requests):
        sql.append(0.0)
        started = time.perf_counter()
        answer = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 200, f"{path}: {answer.status_code}"
    return times, statistics.median(sql[first:]) * 1000


def time_purge(app) -> None:
    """The daily retention run over all reports, rolled back so the bench data stays."""
    with app.app_context():
        started = time.perf_counter()
        counts = purge(app.config["RETENTION_DAYS"])
        elapsed = time.perf_counter() - started
        db.session.rollback()
    print(f"privacy purge (rolled back): {elapsed * 1000:.0f} ms, {counts}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    app = create_app(StaffBenchConfig)
    with app.app_context():
        upgrade()
        accounts = {role: (email, pw) for email, role, pw in ensure_demo_users(app.secret_key)}
        db.session.commit()
        inbox_report = db.session.scalar(
            select(Report.case_number)
            .where(Report.published_at.is_(None))
            .order_by(Report.created_at)
            .limit(1)
        )
        total = db.session.scalar(select(db.func.count()).select_from(Report))
        engine = db.engine
    print(f"{total:,} reports; {args.requests} requests per scenario, one after another")
    print(f"{'scenario':58} {'p50':>7} {'p95':>7} {'max':>7} {'SQL':>7}  (ms)")
    clients = {role: logged_in(app, *account) for role, account in accounts.items()}
    with database_time(engine) as sql:
        for role, name, path in SCENARIOS:
            path = path.format(inbox_report=f"/staff/meldungen/{inbox_report}")
            times, sql_ms = measure(clients[role], path, args.requests, sql)
            print(
                f"{role + ': ' + name:58} {statistics.median(times):7.1f} "
                f"{percentile(times, 95):7.1f} {max(times):7.1f} {sql_ms:7.1f}"
            )
    time_purge(app)


if __name__ == "__main__":
    main()
