"""Benchmark: the town hall's pages (inbox, queues, a report with its duplicate suggestions,
admin lists) and the retention purge, on the bench database (fill it with bench/generate.py).

Staff pages are seen by few people at once, so this drives them in-process, one request after
another, logged in as the demo accounts: p50/p95/max of the whole request (query, template)
and the time of the bare SQL behind it (summed cursor time, median).

    .venv/bin/python bench/staff.py [--requests 30]
    .venv/bin/python bench/staff.py --prepare-search   # once: varied texts, contact data
    .venv/bin/python bench/staff.py --search           # the staff search, bulk, filing

The demo generator writes a dozen sample texts and no contact data. `--prepare-search` gives
every report one of the address bench's 20,000 street names and a house number in its text,
every third an e-mail address and every fifth a phone number (in two spellings) — so a search
for a street finds dozens of reports, not a twelfth of them, and contact searches find their
one report. It rewrites the whole table: use a database of its own (BENCH_DATABASE_URL); the
purge figure of a prepared database includes deleting that contact data.
"""

from __future__ import annotations

import argparse
import statistics
import time
from urllib.parse import quote_plus

from addresses import street_names
from common import bench_config, database_time, percentile
from flask_migrate import upgrade
from sqlalchemy import select, text

from app import create_app
from app.demo.service import ensure_demo_users
from app.extensions import db
from app.inquiries import service as inquiries
from app.models import Category, Report, User
from app.privacy.service import purge
from app.reports.rules import NewReport
from app.reports.service import file_report
from app.staff import bulk

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
        # 303: a case number found leads straight to its report
        assert answer.status_code in (200, 303), f"{path}: {answer.status_code}"
    return times, statistics.median(sql[first:]) * 1000


def print_row(name: str, times: list[float], sql_ms: float) -> None:
    print(
        f"{name:58} {statistics.median(times):7.1f} "
        f"{percentile(times, 95):7.1f} {max(times):7.1f} {sql_ms:7.1f}"
    )


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
    parser.add_argument("--search", action="store_true", help="the search, bulk and filing")
    parser.add_argument("--prepare-search", action="store_true", help="varied texts, contacts")
    args = parser.parse_args()
    app = create_app(StaffBenchConfig)
    with app.app_context():
        if args.prepare_search:
            prepare_search()
        started = time.perf_counter()
        upgrade()
        print(f"migrations: {time.perf_counter() - started:.1f} s")
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
    if args.search:
        run_search(app, clients, args.requests)
        return
    with database_time(engine) as sql:
        for role, name, path in SCENARIOS:
            path = path.format(inbox_report=f"/staff/meldungen/{inbox_report}")
            times, sql_ms = measure(clients[role], path, args.requests, sql)
            print_row(f"{role}: {name}", times, sql_ms)
    time_purge(app)


# --- the staff search, bulk actions and the cost of the search indexes on filing ------------

SEARCH = "/staff/suche?q="


def searched(query: str) -> str:
    return SEARCH + quote_plus(query)


# Found in a prepared database: the reports with these ids have that e-mail and phone.
EMAIL_ID, PHONE_ID = 300_000, 300_005


def prepare_search() -> None:
    """Street names and house numbers in every text; e-mail for every third report and a phone
    number for every fifth, half of them with the country code (once: kept when present)."""
    if db.session.scalar(text("SELECT count(*) FROM reports WHERE reporter_email IS NOT NULL")):
        print("search data already prepared: kept")
        return
    started = time.perf_counter()
    db.session.execute(
        text(
            """
            UPDATE reports SET
              description = description || ' Nähe ' || (CAST(:names AS text[]))[1 + (id * 7919)
                            % cardinality(CAST(:names AS text[]))] || ' ' || (1 + id % 120) || '.',
              reporter_email = CASE WHEN id % 3 = 0 THEN 'Melder' || id || '@Example.org' END,
              reporter_phone = CASE WHEN id % 10 = 0 THEN '+49 212 ' || (2000000 + id)
                                    WHEN id % 5 = 0 THEN '0212 / ' || (2000000 + id) END
            """
        ),
        {"names": street_names()},
    )
    db.session.commit()
    db.session.remove()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM FULL ANALYZE reports"))
    print(f"search data prepared (rewrite, VACUUM FULL): {time.perf_counter() - started:.1f} s")


def search_scenarios() -> list[tuple[str, str, str]]:
    """(role, name, path); the words are taken from the data, so every bench finds them."""
    case = db.session.scalar(select(Report.case_number).order_by(Report.id.desc()).limit(1))
    year, number = case.split("-")
    street = db.session.scalar(
        text(
            "SELECT substring(description from 'Nähe (.*) [0-9]+\\.$') FROM reports "
            "ORDER BY id OFFSET 777 LIMIT 1"
        )
    )
    return [
        ("dispatcher", "search: case number, exact (303 to the report)", searched(case)),
        ("dispatcher", "… case number as 2026-123", searched(f"{year}-{int(number)}")),
        ("dispatcher", "… a word in 1 of 11 texts („Laterne“)", searched("Laterne")),
        ("dispatcher", "… a word in every 3rd text („straße“)", searched("straße")),
        ("dispatcher", f"… a street, dozens of texts („{street}“)", searched(street)),
        ("dispatcher", "… two words, one rare", searched(f"Laterne {street}")),
        ("dispatcher", "… a word in no text („Zwetschgenbaum“)", searched("Zwetschgenbaum")),
        ("dispatcher", "… reporter e-mail, other case", searched(f"melder{EMAIL_ID}@EXAMPLE.ORG")),
        ("dispatcher", "… reporter phone, other spelling", searched(f"0212-{2000000 + PHONE_ID}")),
        ("dispatcher", "… an e-mail nobody gave", searched("niemand@example.org")),
        ("crew", "search, own department only: „Laterne“", searched("Laterne")),
        ("crew", f"… „{street}“", searched(street)),
    ]


def run_search(app, clients: dict, requests: int) -> None:
    with app.app_context():
        scenarios = search_scenarios()
        engine = db.engine
    with database_time(engine) as sql:
        for role, name, path in scenarios:
            times, sql_ms = measure(clients[role], path, requests, sql)
            print_row(f"{role}: {name}", times, sql_ms)
    time_list_additions(app, requests * 4)
    time_bulk(app)
    time_filing(app, requests * 4)


def time_list_additions(app, count: int) -> None:
    """What the lists' new parts cost per page: the "Rückfrage offen" badges of 50 rows and
    the bulk form's colleagues (the rest of the form is the page's own template work)."""
    with app.test_request_context("/staff/eingang"):
        ids = list(db.session.scalars(select(Report.id).order_by(Report.id.desc()).limit(50)))
        users = {role: db.session.scalar(select(User).where(User.role == role).limit(1))
                 for role in ("dispatcher", "crew")}  # fmt: skip
        for name, work in [
            ("badges of 50 rows", lambda: inquiries.open_for(ids)),
            ("colleagues, dispatcher", lambda: bulk.assignable(users["dispatcher"])),
            ("colleagues, crew", lambda: bulk.assignable(users["crew"])),
        ]:
            times = []
            for _ in range(count):
                db.session.expire_all()
                started = time.perf_counter()
                work()
                times.append((time.perf_counter() - started) * 1000)
            print(f"list addition, {name}: p50 {statistics.median(times):.2f} ms")
        db.session.rollback()


def time_bulk(app, size: int = 50) -> None:
    """Status for the inbox's first page at once (with timeline entries and mails), rolled
    back so the bench data stays."""
    with app.test_request_context("/staff/auswahl"):
        user = db.session.scalar(select(User).where(User.role == "dispatcher").limit(1))
        rows = db.session.execute(
            select(Report.case_number, Report.version)
            .where(Report.published_at.is_(None), Report.status == "received")
            .order_by(Report.created_at)
            .limit(size)
        ).all()
        picks = [bulk.Pick(case, version) for case, version in rows]
        times = []
        for _ in range(5):
            started = time.perf_counter()
            bulk.set_status(user, picks, "accepted", "Wird geprüft.", True)
            db.session.flush()
            times.append((time.perf_counter() - started) * 1000)
            db.session.rollback()
    median = statistics.median(times)
    print(f"bulk status for {len(picks)} reports (rolled back): p50 {median:.1f} ms")


SEARCH_INDEXES = (
    "ix_reports_description_trgm",
    "ix_reports_original_description_trgm",
    "ix_reports_reporter_email_key",
    "ix_reports_reporter_phone_key",
)


def time_filing(app, count: int) -> None:
    """Filing a report (with contact data), alternately with the search indexes and without
    them — dropped inside a transaction that is rolled back — in rounds of ten, so both see the
    same load: what the indexes add to every insert."""
    with app.test_request_context("/melden"):
        category = db.session.scalar(select(Category.id).where(Category.code == "licht"))
        times: dict[str, list[float]] = {"with": [], "without": []}
        for round_ in range(count // 10 + 1):
            for variant in times:
                if variant == "without":
                    db.session.execute(text(f"DROP INDEX IF EXISTS {', '.join(SEARCH_INDEXES)}"))
                for n in range(10):
                    new = NewReport(
                        category, f"Laterne {n} dunkel, Nähe Goethestraße {n}.", 51.1705, 7.0845,
                        reporter_email=f"bench{n}@example.org", reporter_phone=f"0212 {n:07d}",
                    )  # fmt: skip
                    attempt = db.session.begin_nested()
                    started = time.perf_counter()
                    file_report(new, [])
                    db.session.flush()
                    if round_:  # the first round warms up
                        times[variant].append((time.perf_counter() - started) * 1000)
                    attempt.rollback()
                db.session.rollback()  # the dropped indexes are back
    for variant, measured in times.items():
        print(
            f"filing a report {variant} the search indexes (rolled back), {len(measured)}: "
            f"p50 {statistics.median(measured):.1f} ms, p95 {percentile(measured, 95):.1f} ms"
        )


if __name__ == "__main__":
    main()
