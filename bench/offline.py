"""Benchmark: what the idempotency keys of staff actions cost (app/staff/replay.py), and how
much the offline scripts weigh on a phone.

Drives a crew member's status changes in-process, one after another, on a database of its
own (the demo city, a few open reports, and STORED keys from a month of a busy town hall):
without a request_key, with a fresh key (the lookup, a savepoint insert, the version after),
a form sent again with a used key (answered without acting), and a replay from the offline
queue (JSON answer). Prints p50/p95/max per request and the scripts' sizes, plain and gzip.

    .venv/bin/python bench/offline.py [--requests 60] [--stored 30000]
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import time
import uuid

from common import ROOT, bench_config, percentile
from flask_migrate import upgrade
from sqlalchemy import func, insert, select, text

from app import create_app
from app.demo.service import city_is_empty, ensure_demo_users, generate_reports, load_city
from app.extensions import db
from app.models import Report, RequestKey, User

SCRIPTS = ["js/offline-queue.js", "js/offline.js", "js/draft.js"]


class OfflineBenchConfig(bench_config("maengelmelder_bench_offline")):  # type: ignore[misc]
    WTF_CSRF_ENABLED = False  # the bench logs in and acts with plain POSTs


def prepare(app, stored: int) -> tuple[str, str, int]:
    """The crew account, an open street-light report of theirs, and `stored` keys in the table."""
    with app.app_context():
        upgrade()
        if city_is_empty():
            load_city()
            generate_reports(400)
        accounts = {role: (email, pw) for email, role, pw in ensure_demo_users(app.secret_key)}
        db.session.commit()
        crew = db.session.scalar(select(User).where(User.email == accounts["crew"][0]))
        report = db.session.scalar(
            select(Report)
            .where(Report.department_id.in_([d.id for d in crew.departments]))
            .where(Report.status.in_(("received", "accepted", "in_progress")))
            .order_by(Report.id)
            .limit(1)
        )
        have = db.session.scalar(select(func.count()).select_from(RequestKey))
        if have < stored:
            rows = [
                {
                    "user_id": crew.id,
                    "key": uuid.uuid4(),
                    "case_number": report.case_number,
                    "action": "status",
                }
                for _ in range(stored - have)
            ]
            db.session.execute(insert(RequestKey), rows)
            db.session.commit()
            db.session.execute(text("ANALYZE staff_request_keys"))
        return report.case_number, accounts["crew"], crew.id


def now(app, case: str) -> tuple[str, str]:
    """The report's version and a status it does not have (each change is a real one)."""
    with app.app_context():
        found = db.session.scalar(select(Report).where(Report.case_number == case))
        other = "accepted" if found.status != "accepted" else "in_progress"
        return str(found.version), other


def timed(run, requests: int) -> list[float]:
    times = []
    for i in range(requests):
        started = time.perf_counter()
        run(i)
        times.append((time.perf_counter() - started) * 1000)
    return times


def line(name: str, times: list[float]) -> None:
    print(
        f"{name:52} {statistics.median(times):7.1f} {percentile(times, 95):7.1f} {max(times):7.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--stored", type=int, default=30_000)
    args = parser.parse_args()
    app = create_app(OfflineBenchConfig)
    case, (email, password), _crew = prepare(app, args.stored)
    client = app.test_client()
    assert client.post("/anmelden", data={"email": email, "password": password}).status_code == 302
    url = f"/staff/meldungen/{case}/status"

    def change(**extra: str) -> dict:
        seen, status = now(app, case)
        return {"status": status, "version": seen, **extra}

    def plain(_i: int) -> None:
        assert client.post(url, data=change()).status_code == 302

    def keyed(_i: int) -> None:
        assert client.post(url, data=change(request_key=str(uuid.uuid4()))).status_code == 302

    used = change(request_key=str(uuid.uuid4()))
    assert client.post(url, data=used).status_code == 302

    def again(_i: int) -> None:
        assert client.post(url, data=used).status_code == 302

    def replayed(_i: int) -> None:
        data = change(request_key=str(uuid.uuid4()))
        answer = client.post(url, data=data, headers={"X-Offline-Replay": "1"})
        assert answer.json["outcome"] == "done", answer.json

    scenarios = [
        ("without request_key", plain),
        ("with a fresh request_key", keyed),
        ("a used request_key again (answered, not done)", again),
        ("offline replay (JSON answer)", replayed),
    ]
    for _name, run in scenarios:  # warm-up
        timed(run, 3)
    # Round-robin: the report's timeline grows with every change, alike for each scenario.
    times: dict[str, list[float]] = {name: [] for name, _run in scenarios}
    for _round in range(args.requests):
        for name, run in scenarios:
            times[name] += timed(run, 1)
    with app.app_context():
        total = db.session.scalar(select(func.count()).select_from(RequestKey))
    print(f"{total:,} stored keys; {args.requests} requests each, round-robin")
    print(f"{'status change (crew, in-process)':52} {'p50':>7} {'p95':>7} {'max':>7}  (ms)")
    for name, _run in scenarios:
        line(name, times[name])
    for name in SCRIPTS:
        data = (ROOT / "app" / "static" / name).read_bytes()
        print(f"{name:32} {len(data):7,} bytes, gzip {len(gzip.compress(data)):6,}")
    worker = client.get("/sw-staff.js").get_data()
    print(f"{'/sw-staff.js':32} {len(worker):7,} bytes, gzip {len(gzip.compress(worker)):6,}")


if __name__ == "__main__":
    main()
