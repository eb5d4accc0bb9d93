"""Benchmark: the crews' pages on the bench database (fill it with bench/generate.py) — the
queue's rows with distance, thumbnail, priority and text, "Nächste zuerst" from the positions
of a crew driving through the city, a job's page, and the inbox with jobs sent back.

Like bench/staff.py: in-process, one request after another, p50/p95/max of the whole request
and the bare SQL (median). The demo reports have no photos: a third of them get a photo row
(the pages link thumbnails, they never read the files), so the thumbnails are looked up as in
a city's database. Jobs "sent back" are marked for the inbox scenario and cleared afterwards.

    .venv/bin/python bench/crew.py [--requests 30] [--returned 50]
"""

from __future__ import annotations

import argparse
import statistics

from common import database_time, percentile
from flask_migrate import upgrade
from sqlalchemy import func, select, text
from staff import StaffBenchConfig, logged_in, measure

from app import create_app
from app.demo.service import ensure_demo_users
from app.extensions import db
from app.models import Report
from app.models.status import OPEN_STATUSES

QUEUE = "/staff/warteschlange?sortierung=naehe"
LIGHT_CREW = "tbs-licht@demo.example.org"
# A crew's day: the Rathaus, Ohligs, Gräfrath, Burg (each several km from the last).
POSITIONS = {
    "Mitte": "lat=51.1705&lon=7.0845",
    "Ohligs": "lat=51.1667&lon=7.0110",
    "Gräfrath": "lat=51.2035&lon=7.0818",
    "Burg": "lat=51.1360&lon=7.1530",
}
PHOTO_ROWS = """
INSERT INTO photos (report_id, filename, thumbnail, width, height, after, hidden, created_at)
SELECT id, 'bench-' || id || '.jpg', 'bench-' || id || '-t.jpg', 2048, 1536, false, false,
       created_at
FROM reports WHERE id % 3 = 0
"""


def give_photos() -> None:
    if db.session.scalar(select(func.count()).select_from(text("photos"))):
        return
    db.session.execute(text(PHOTO_ROWS))
    db.session.commit()
    db.session.execute(text("ANALYZE photos"))


def send_back(count: int) -> list[int]:
    """Mark the oldest open reports as sent back by a crew (committed; cleared afterwards)."""
    ids = list(
        db.session.scalars(
            select(Report.id)
            .where(Report.status.in_([s.value for s in OPEN_STATUSES]))
            .order_by(Report.created_at)
            .limit(count)
        )
    )
    db.session.execute(
        text(
            "UPDATE reports SET returned_at = now() - (id % 100) * interval '1 minute', "
            "return_reason = 'Falsch zugeordnet' WHERE id = ANY(:ids)"
        ),
        {"ids": ids},
    )
    db.session.commit()
    return ids


def clear(ids: list[int]) -> None:
    db.session.execute(
        text("UPDATE reports SET returned_at = NULL, return_reason = NULL WHERE id = ANY(:ids)"),
        {"ids": ids},
    )
    db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--returned", type=int, default=50)
    args = parser.parse_args()
    app = create_app(StaffBenchConfig)
    with app.app_context():
        upgrade()
        # The street lighting crew by name: a dict by role would keep the last crew account.
        accounts = {
            ("crew" if email == LIGHT_CREW else role): (email, pw)
            for email, role, pw in ensure_demo_users(app.secret_key)
            if role != "crew" or email == LIGHT_CREW
        }
        db.session.commit()
        give_photos()
        job = db.session.scalar(
            select(Report.case_number)
            .join(Report.department)
            .where(
                Report.status.in_([s.value for s in OPEN_STATUSES]),
                text("departments.code = 'tbs-licht'"),
            )
            .order_by(Report.created_at)
            .limit(1)
        )
        total = db.session.scalar(select(func.count()).select_from(Report))
        engine = db.engine
    # Outside the app context, as bench/staff.py: each request loads its own user.
    clients = {role: logged_in(app, *account) for role, account in accounts.items()}
    scenarios = [
        ("crew", f"queue street lighting, nearest from {place}", f"{QUEUE}&{where}")
        for place, where in POSITIONS.items()
    ]
    scenarios += [
        (
            "dispatcher",
            "queue all departments, nearest from Mitte",
            f"{QUEUE}&{POSITIONS['Mitte']}",
        ),
        ("crew", "a job's page (map, way, forms)", f"/staff/meldungen/{job}"),
        ("dispatcher", "inbox, no job sent back", "/staff/eingang"),
    ]
    print(f"{total:,} reports; {args.requests} requests per scenario, one after another")
    print(f"{'scenario':62} {'p50':>7} {'p95':>7} {'max':>7} {'SQL':>7}  (ms)")
    with database_time(engine) as sql:
        for role, name, path in scenarios:
            report(role, name, *measure(clients[role], path, args.requests, sql))
        with app.app_context():
            returned = send_back(args.returned)
        try:
            name = f"inbox with {len(returned)} jobs sent back"
            inbox = clients["dispatcher"]
            report("dispatcher", name, *measure(inbox, "/staff/eingang", args.requests, sql))
        finally:
            with app.app_context():
                clear(returned)


def report(role: str, name: str, times: list[float], sql_ms: float) -> None:
    print(
        f"{role + ': ' + name:62} {statistics.median(times):7.1f} "
        f"{percentile(times, 95):7.1f} {max(times):7.1f} {sql_ms:7.1f}"
    )


if __name__ == "__main__":
    main()
