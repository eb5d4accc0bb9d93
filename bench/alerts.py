"""Benchmark: area alerts at 10,000 confirmed subscriptions (mixed: districts and circles of
250 m to 2 km around points where reports are, some with categories, immediate or daily) and
1,000 new reports in a day, each filed through the reports service under immediate publishing,
so every one is matched in its filing transaction (one INSERT ... SELECT into the outbox);
then one digest run. Prints the figures; goal: all of it in under 60 s. Its own database
(BENCH_ALERTS_DATABASE_URL, else maengelmelder_bench_alerts on the local cluster), emptied and
refilled each run, with --background older reports around them.

    .venv/bin/python bench/alerts.py [--alerts 10000] [--reports 1000] [--background 100000]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import UTC, datetime, timedelta

from common import bench_config, percentile
from flask_migrate import upgrade
from sqlalchemy import text

from app import create_app
from app.alerts import matching
from app.alerts.digest import send_digests
from app.demo import service as demo
from app.extensions import db
from app.models import Channel
from app.reports import service as reports
from app.reports.rules import NewReport

GOAL_SECONDS = 60.0
SEED = 17
# Circles: most people ask for their street or quarter, few for a wide area.
RADII, RADIUS_WEIGHTS = (250, 500, 1000, 2000), (4, 3, 2, 1)

# Centres at report locations (where people live and report), districts at random; 40 % with
# one to three categories; 60 % immediate.
ALERTS = text(
    """
    INSERT INTO area_alerts (email, language, kind, district_id, center, radius_m, area,
                             area_label, category_ids, mode, unsubscribe_token, confirmed_at)
    SELECT 'abo' || a.n || '@example.org', CASE WHEN a.n % 5 = 0 THEN 'en' ELSE 'de' END,
           CASE WHEN a.district THEN 'district' ELSE 'radius' END,
           CASE WHEN a.district THEN (SELECT id FROM districts ORDER BY random() + a.n LIMIT 1)
           END,
           CASE WHEN NOT a.district THEN p.location END,
           CASE WHEN NOT a.district THEN a.radius END,
           CASE WHEN NOT a.district THEN
               ST_Buffer(p.location::geography, a.radius * 1.01 + 1)::geometry END,
           'Bench ' || a.n,
           CASE WHEN random() < 0.4 THEN (SELECT array_agg(id) FROM (
               SELECT id FROM categories ORDER BY random() + a.n LIMIT 1 + (a.n % 3)) c) END,
           CASE WHEN random() < 0.6 THEN 'immediate' ELSE 'digest' END,
           'bench-token-' || a.n, now() - interval '2 days'
    FROM unnest(CAST(:districts AS boolean[]), CAST(:radii AS int[]))
         WITH ORDINALITY AS a(district, radius, n)
    -- A random older report (a.n keeps the subquery from being run once for all rows).
    JOIN LATERAL (SELECT location FROM reports
                  WHERE id >= :first + CAST(floor(random() * :reports) AS bigint) + a.n * 0
                  ORDER BY id LIMIT 1) AS p ON true
    """
)


def prepare(alerts: int, background: int, rng: random.Random) -> None:
    upgrade()
    db.session.execute(
        text(
            "TRUNCATE reports, map_cells, map_months, map_month_statuses, area_alerts, "
            "outbox_mails CASCADE"
        )
    )
    demo.load_city()
    db.session.commit()
    demo.generate_reports(background)
    db.session.commit()
    districts = [rng.random() < 0.15 for _ in range(alerts)]
    radii = rng.choices(RADII, RADIUS_WEIGHTS, k=alerts)
    first = db.session.scalar(text("SELECT min(id) FROM reports"))
    values = {"districts": districts, "radii": radii, "reports": background, "first": first}
    db.session.execute(ALERTS, values)
    db.session.commit()
    db.session.execute(text("ANALYZE area_alerts"))
    db.session.commit()


def new_reports(count: int, rng: random.Random) -> list[NewReport]:
    """At places of older reports (inside the city, where people report), in any category."""
    places = db.session.execute(
        text("SELECT ST_Y(location), ST_X(location) FROM reports ORDER BY random() LIMIT :n"),
        {"n": count},
    ).all()
    categories = list(db.session.scalars(text("SELECT id FROM categories WHERE active")))
    return [
        NewReport(
            rng.choice(categories),
            "Bench: neue Meldung",
            float(lat),
            float(lon),
            channel=Channel.WEB,
        )
        for lat, lon in places
    ]


def file_all(todo: list[NewReport]) -> tuple[float, list[float], int]:
    """Each report in its own transaction, as requests would; (seconds, matching ms, mails)."""
    matched_ms: list[float] = []
    original = matching.report_published

    def timed(report):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        written = original(report)
        matched_ms.append((time.perf_counter() - started) * 1000)
        return written

    reports.alerts.report_published = timed  # type: ignore[assignment]
    started = time.perf_counter()
    try:
        for new in todo:
            reports.file_report(new, [])
            db.session.commit()
    finally:
        reports.alerts.report_published = original  # type: ignore[assignment]
    mails = db.session.scalar(text("SELECT count(*) FROM outbox_mails WHERE kind = 'alert'"))
    return time.perf_counter() - started, matched_ms, mails or 0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--alerts", type=int, default=10_000)
    parser.add_argument("--reports", type=int, default=1_000)
    parser.add_argument("--background", type=int, default=100_000)
    options = parser.parse_args()
    rng = random.Random(SEED)
    config = bench_config("maengelmelder_bench_alerts", "BENCH_ALERTS_DATABASE_URL")
    app = create_app(config)
    app.config.update(PUBLISHING="immediate", SERVER_NAME="maengel.example.org")
    with app.app_context():
        prepare(options.alerts, options.background, rng)
        mix = db.session.execute(
            text("SELECT kind, mode, count(*) FROM area_alerts GROUP BY 1, 2 ORDER BY 1, 2")
        ).all()
        todo = new_reports(options.reports, rng)
        filing, matched_ms, mails = file_all(todo)
        started = time.perf_counter()
        digest = send_digests(datetime.now(UTC) + timedelta(days=1))
        digest_s = time.perf_counter() - started
        again = send_digests(datetime.now(UTC) + timedelta(days=1))
    total = filing + digest_s
    print(
        f"area alerts: {options.alerts:,} confirmed ("
        + ", ".join(f"{kind}/{mode} {n:,}" for kind, mode, n in mix)
        + f"), {options.background:,} older reports"
    )
    print(
        f"  {options.reports:,} reports filed and matched: {filing:.1f} s; matching per report "
        f"p50 {statistics.median(matched_ms):.1f} ms, p95 {percentile(matched_ms, 95):.1f} ms; "
        f"{mails:,} immediate mails ({mails / options.reports:.0f} per report)"
    )
    print(
        f"  digest: {digest['mails']:,} mails with {digest['reports']:,} reports for "
        f"{digest['alerts']:,} due alerts in {digest_s:.1f} s; a second run: {again['mails']} mails"
    )
    verdict = "ok" if total < GOAL_SECONDS else "TOO SLOW"
    print(f"  total {total:.1f} s (goal < {GOAL_SECONDS:.0f} s): {verdict}")


if __name__ == "__main__":
    main()
