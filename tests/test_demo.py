"""`flask demo load` and `flask demo generate`: idempotent city, realistic synthetic reports."""

from __future__ import annotations

import re

from sqlalchemy import delete, func, select, text

from app.demo import data
from app.extensions import db
from app.models import (
    Category,
    Department,
    District,
    Report,
    RoutingRule,
    StatisticsSnapshot,
    TimelineEvent,
)


def test_demo_load_is_idempotent(app):
    runner = app.test_cli_runner()
    before = [db.session.scalar(select(func.count()).select_from(m)) for m in MODELS]
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    after = [db.session.scalar(select(func.count()).select_from(m)) for m in MODELS]
    assert before == after == [5, 8, 11, 1]
    skipped = runner.invoke(args=["demo", "load", "--if-empty"])
    assert "nichts geladen" in skipped.output


def test_demo_load_leaves_figures_for_the_transparency_page(app, client):
    db.session.execute(delete(StatisticsSnapshot))
    assert app.test_cli_runner().invoke(args=["demo", "load"]).exit_code == 0
    assert db.session.scalar(select(func.count()).select_from(StatisticsSnapshot)) == 1
    assert "werden gerade berechnet" not in client.get("/transparenz").get_data(as_text=True)


MODELS = (District, Department, Category, RoutingRule)


def test_generate_spreads_reports_and_routes_them_like_real_ones(app):
    result = app.test_cli_runner().invoke(args=["demo", "generate", "--count", "3000"])
    assert result.exit_code == 0, result.output
    assert "3000 Meldungen erzeugt" in result.output
    assert db.session.scalar(select(func.count()).select_from(Report)) == 3000

    spread = db.session.execute(
        text(
            "SELECT count(DISTINCT district_id), count(DISTINCT category_id), "
            "count(DISTINCT status), min(created_at) > now() - interval '5 years 1 day', "
            "max(greatest(created_at, updated_at)) <= now(), count(DISTINCT case_number) "
            "FROM reports"
        )
    ).one()
    assert spread == (5, 11, 7, True, True, 3000)

    # Every report's district and department are what the routing rule gives for its point.
    misrouted = db.session.scalar(
        text(
            """
            SELECT count(*) FROM reports r
            CROSS JOIN LATERAL (
                SELECT d.id AS district_id,
                       COALESCE(rr.department_id, c.default_department_id) AS department_id
                FROM districts d JOIN categories c ON c.id = r.category_id
                LEFT JOIN routing_rules rr ON rr.category_id = c.id AND rr.district_id = d.id
                WHERE ST_Covers(d.geom, r.location) ORDER BY d.code LIMIT 1
            ) AS expected
            WHERE (r.district_id, r.department_id)
                  IS DISTINCT FROM (expected.district_id, expected.department_id)
            """
        )
    )
    assert misrouted == 0

    described = db.session.execute(
        select(Category.code, Report.description).join(Report.category).distinct()
    ).all()
    assert {code: text for code, text in described} == data.SAMPLE_TEXTS

    numbers = db.session.scalars(select(Report.case_number).limit(50))
    assert all(re.fullmatch(r"\d{4}-\d{6,}", n) for n in numbers)


def test_generated_reports_have_a_timeline(app):
    app.test_cli_runner().invoke(args=["demo", "generate", "--count", "200"])
    received = db.session.scalar(
        select(func.count())
        .select_from(TimelineEvent)
        .where(TimelineEvent.status == "received", TimelineEvent.public)
    )
    changed = db.session.scalar(
        select(func.count()).select_from(Report).where(Report.status != "received")
    )
    moved_past_review = db.session.scalar(
        select(func.count())
        .select_from(Report)
        .where(Report.status.not_in(["received", "accepted"]))
    )
    total = db.session.scalar(select(func.count()).select_from(TimelineEvent))
    assert received == 200
    assert total == 200 + changed + moved_past_review
    # The statistics timestamps agree with the timeline.
    inconsistent = db.session.scalar(
        text(
            """
            SELECT count(*) FROM reports r
            WHERE r.first_reaction_at IS DISTINCT FROM (
                      SELECT min(e.created_at) FROM timeline_events e
                      WHERE e.report_id = r.id AND e.status <> 'received')
               OR (r.closed_at IS NOT NULL) <> (r.status IN
                      ('resolved', 'not_responsible', 'duplicate', 'wont_fix'))
               OR r.closed_at IS DISTINCT FROM
                      CASE WHEN r.closed_at IS NOT NULL THEN r.updated_at END
            """
        )
    )
    assert inconsistent == 0
    # The last event of every report carries its current status.
    mismatched = db.session.scalar(
        text(
            """
            SELECT count(*) FROM reports r
            WHERE r.status <> (SELECT e.status FROM timeline_events e WHERE e.report_id = r.id
                               ORDER BY e.created_at DESC, e.id DESC LIMIT 1)
            """
        )
    )
    assert mismatched == 0


def test_generate_refuses_without_districts(app):
    db.session.execute(text("DELETE FROM routing_rules"))
    db.session.execute(text("DELETE FROM districts"))
    result = app.test_cli_runner().invoke(args=["demo", "generate", "--count", "10"])
    assert result.exit_code != 0
    assert "Keine Bezirke" in result.output


def test_generate_rejects_bad_counts(app):
    for bad in ("0", "-5", "zehn", "99999999"):
        result = app.test_cli_runner().invoke(args=["demo", "generate", "--count", bad])
        assert result.exit_code == 2
        assert db.session.scalar(select(func.count()).select_from(Report)) == 0


def test_demo_accounts_are_created_once_and_can_log_in(app, client):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "accounts"])
    assert first.exit_code == 0, first.output
    assert "poststelle@demo.example.org" in first.output
    again = runner.invoke(args=["demo", "accounts"])
    assert again.output == first.output  # same passwords, no duplicate accounts
    password = next(line.split()[-1] for line in first.output.splitlines() if "poststelle@" in line)
    assert len(password) == 16
    response = client.post(
        "/anmelden", data={"email": "poststelle@demo.example.org", "password": password}
    )
    assert response.status_code == 302
    assert client.get("/staff/eingang").status_code == 200


def test_every_department_has_a_demo_crew_that_may_work_its_reports(app, client, make_report):
    output = app.test_cli_runner().invoke(args=["demo", "accounts"]).output
    for code, _name, _email in data.DEPARTMENTS:
        assert f"{code}@demo.example.org" in output
    pothole = make_report(code="strasse")
    password = next(line.split()[-1] for line in output.splitlines() if "tiefbau@" in line)
    account = {"email": "tiefbau@demo.example.org", "password": password}
    assert client.post("/anmelden", data=account).status_code == 302
    assert client.get(f"/staff/meldungen/{pothole.case_number}").status_code == 200


def test_demo_load_can_add_reports_that_the_public_sees(app, client):
    before = db.session.scalar(select(func.count()).select_from(Report))
    result = app.test_cli_runner().invoke(args=["demo", "load", "--reports", "40"])
    assert result.exit_code == 0 and "40 Demo-Meldungen erzeugt." in result.output
    assert db.session.scalar(select(func.count()).select_from(Report)) == before + 40
    # Every status: 40 reports spread over years may hold no open one.
    listing = client.get("/meldungen?status=all&since=2000-01-01").get_data(as_text=True)
    assert "Keine Meldungen für diese Auswahl." not in listing


SCHEMA = """
SELECT 'index', indexdef FROM pg_indexes WHERE tablename IN ('reports', 'timeline_events')
UNION ALL
SELECT 'key ' || conname, pg_get_constraintdef(oid) || ' ' || convalidated::text
FROM pg_constraint WHERE conrelid IN ('reports'::regclass, 'timeline_events'::regclass)
UNION ALL
SELECT 'trigger', tgname || ' ' || tgenabled::text FROM pg_trigger
WHERE tgrelid = 'reports'::regclass AND NOT tgisinternal
ORDER BY 1, 2
"""


def test_a_load_into_empty_tables_builds_every_index_and_key_again(app):
    # Into empty tables the generator drops indexes and foreign keys and builds them afterwards.
    before = db.session.execute(text(SCHEMA)).all()
    assert len([row for row in before if row[0] == "index"]) > 20
    result = app.test_cli_runner().invoke(args=["demo", "generate", "--count", "300"])
    assert result.exit_code == 0, result.output
    assert db.session.execute(text(SCHEMA)).all() == before
    # The indexes serve: the trigram search finds the sample text of street damage.
    db.session.execute(text("SET LOCAL enable_seqscan = off"))
    plan = db.session.scalars(
        text("EXPLAIN SELECT id FROM reports WHERE description ILIKE '%schlagloch%'")
    ).all()
    assert any("ix_reports_description_trgm" in line for line in plan)
    # Like a real table: the later a report was filed, the higher its id and case number.
    disorder = db.session.scalar(
        text(
            "SELECT count(*) FROM (SELECT created_at < lag(created_at) OVER (ORDER BY id) AS back "
            "FROM reports) AS r WHERE back"
        )
    )
    assert disorder == 0


def test_a_load_into_tables_in_use_takes_no_table_lock(app, make_report):
    make_report(description="Echte Meldung")
    before = db.session.execute(text(SCHEMA)).all()
    result = app.test_cli_runner().invoke(args=["demo", "generate", "--count", "100"])
    assert result.exit_code == 0, result.output
    # Reports filed by citizens meanwhile are not blocked: no exclusive lock is held.
    exclusive = db.session.scalar(
        text(
            "SELECT count(*) FROM pg_locks WHERE pid = pg_backend_pid() "
            "AND relation IN ('reports'::regclass, 'timeline_events'::regclass) "
            "AND mode = 'AccessExclusiveLock'"
        )
    )
    assert exclusive == 0
    assert db.session.execute(text(SCHEMA)).all() == before
    assert db.session.scalar(select(func.count()).select_from(Report)) == 101
