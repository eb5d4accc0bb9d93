"""The transparency page: figures per district, category and department, for three periods,
read from a snapshot that only the worker computes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, text
from sqlalchemy.exc import OperationalError

from app.extensions import db
from app.models import StatisticsSnapshot
from app.notifications import cli as outbox_cli
from app.stats import service
from app.stats.worker import refresh_when_stale


@pytest.fixture
def reports(app):
    result = app.test_cli_runner().invoke(args=["demo", "generate", "--count", "400"])
    assert result.exit_code == 0, result.output


def sql(query: str, **params: object):
    return db.session.execute(text(query), params).one()


def test_figures_match_the_reports(reports):
    figures = service.compute()["periods"]
    received, open_, resolved = sql(
        "SELECT count(*), count(*) FILTER (WHERE status IN ('received','accepted','in_progress')),"
        " count(*) FILTER (WHERE status = 'resolved') FROM reports"
    )
    assert figures["alle"]["total"]["received"] == received == 400
    assert figures["alle"]["total"]["open"] == open_
    assert figures["alle"]["total"]["resolved"] == resolved
    assert sum(d["received"] for d in figures["alle"]["district"]) == 400
    assert sum(c["received"] for c in figures["alle"]["category"]) == 400
    assert sum(d["received"] for d in figures["alle"]["department"]) == 400

    recent = sql("SELECT count(*) FROM reports WHERE created_at >= now() - interval '30 days'")[0]
    assert figures["30"]["total"]["received"] == recent

    median = sql(
        "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM "
        "closed_at - created_at)) / 86400 FROM reports r JOIN districts d ON d.id = r.district_id "
        "WHERE status = 'resolved' AND d.code = '1'"
    )[0]
    mitte = next(d for d in figures["alle"]["district"] if d["code"] == "1")
    assert mitte["resolution_days"] == round(median, 1)


def test_page_shows_tables_and_chart(client, reports):
    response = client.get("/transparenz?zeitraum=alle")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "400 Meldungen eingegangen" in page
    for heading in ("Stadtbezirk", "Kategorie", "Zuständige Stelle", "Median Tage bis Erledigung"):
        assert heading in page
    assert "<svg" in page and "Gräfrath" in page


@pytest.mark.parametrize("period", ["30", "365", "alle", "quatsch", ""])
def test_every_period_renders(client, reports, period):
    assert client.get(f"/transparenz?zeitraum={period}").status_code == 200


def make_stale() -> None:
    db.session.execute(
        text("UPDATE statistics_snapshots SET computed_at = :old"),
        {"old": datetime.now(UTC) - timedelta(days=1)},
    )


def snapshot() -> StatisticsSnapshot:
    db.session.expire_all()
    return db.session.scalars(db.select(StatisticsSnapshot)).one()


def never_computed(*args: object) -> None:
    raise AssertionError("computed the figures")


def test_a_page_view_serves_a_stale_snapshot_and_computes_nothing(client, reports, monkeypatch):
    make_stale()
    before = snapshot().computed_at
    monkeypatch.setattr(service, "compute", never_computed)
    page = client.get("/transparenz?zeitraum=alle").get_data(as_text=True)
    assert "400 Meldungen eingegangen" in page
    assert snapshot().computed_at == before


def test_without_a_snapshot_the_page_says_the_figures_are_coming(client, monkeypatch):
    db.session.execute(delete(StatisticsSnapshot))
    monkeypatch.setattr(service, "compute", never_computed)
    response = client.get("/transparenz")
    assert response.status_code == 200
    assert "Die Zahlen werden gerade berechnet" in response.get_data(as_text=True)
    assert service.latest() is None


def test_the_worker_recomputes_a_stale_snapshot(reports):
    make_stale()
    refresh_when_stale()
    assert datetime.now(UTC) - snapshot().computed_at < timedelta(minutes=1)


def test_the_worker_leaves_a_fresh_snapshot_alone(reports, monkeypatch):
    before = snapshot().id
    monkeypatch.setattr(service, "compute", never_computed)
    refresh_when_stale()
    assert snapshot().id == before


def test_one_worker_at_a_time_computes(app, reports):
    make_stale()
    with db.engine.connect() as other:  # another worker, in the middle of its refresh
        other.execute(text("SELECT pg_advisory_lock(:k)"), {"k": service.REFRESH_LOCK})
        try:
            assert service.refresh_if_stale(app.config["STATS_MAX_AGE"]) is None
        finally:
            other.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": service.REFRESH_LOCK})


def test_a_failed_refresh_keeps_the_last_snapshot(reports, monkeypatch, caplog):
    make_stale()
    db.session.commit()
    before = snapshot().computed_at

    def database_gone(*args: object) -> None:
        raise OperationalError("SELECT", {}, Exception("server closed the connection"))

    monkeypatch.setattr(service, "compute", database_gone)
    refresh_when_stale()
    assert snapshot().computed_at == before
    assert "Neuberechnung fehlgeschlagen" in caplog.text


def test_the_outbox_worker_loop_computes_the_first_snapshot(app, monkeypatch):
    db.session.execute(delete(StatisticsSnapshot))

    def stop(seconds: float) -> None:  # the loop's first pause ends the worker
        raise KeyboardInterrupt

    monkeypatch.setattr(outbox_cli.time, "sleep", stop)
    monkeypatch.setattr(outbox_cli.signal, "signal", lambda *args: None)  # keep pytest's SIGTERM
    result = app.test_cli_runner().invoke(args=["outbox", "work"])
    assert result.exit_code == 0, result.output
    assert snapshot().figures["periods"]["alle"]["total"]["received"] == 0


def test_empty_city_has_a_friendly_page(client):
    service.refresh()
    page = client.get("/transparenz").get_data(as_text=True)
    assert "keine Meldungen eingegangen" in page


def test_cli_refresh(app, reports):
    result = app.test_cli_runner().invoke(args=["stats", "refresh"])
    assert result.exit_code == 0
    assert "Statistik neu berechnet" in result.output


def test_status_changes_set_the_statistics_timestamps(make_report):
    make_report()
    report_id = db.session.scalar(text("SELECT id FROM reports"))

    def times() -> tuple:
        return db.session.execute(
            text(
                "SELECT first_reaction_at IS NOT NULL, closed_at IS NOT NULL, status "
                "FROM reports WHERE id = :id"
            ),
            {"id": report_id},
        ).one()

    assert times() == (False, False, "received")
    for status, expected_times in [
        ("in_progress", (True, False, "in_progress")),
        ("resolved", (True, True, "resolved")),
        ("accepted", (True, False, "accepted")),  # reopened: no longer closed
    ]:
        db.session.execute(
            text("UPDATE reports SET status = :s WHERE id = :id"), {"s": status, "id": report_id}
        )
        assert times() == expected_times
