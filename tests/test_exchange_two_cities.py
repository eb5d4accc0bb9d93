"""Two real instances: we (A, the test app) forward a report over the city line to Stadt B
(a second Mängelmelder with its own database, served by gunicorn); B's back office sets a
status; our sync shows it on our timeline and mails our reporter. B down, or an answer lost on
the way: still exactly one report at B."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import select

from app.exchange.bodies import BodySpec, add_body
from app.exchange.sync import sync_all
from app.exchange.worker import forward_due
from app.extensions import db
from app.models import (
    Body,
    CaseCounter,
    EventKind,
    ExchangeJob,
    JobState,
    Report,
    Status,
    TimelineEvent,
)
from app.notifications.outbox import send_due
from tests.exchange_support import IN_B, CityB, FakePeer, Relay, area_geojson, create_city_b

pytestmark = pytest.mark.usefixtures("app")


# Our case numbers are B's external ids. Each test's data is rolled back, our year counter with
# it, so every test would file 2026-000001 again and B (rightly) answer with its first report:
# each test starts our numbering further on, as a real city's would be.
NUMBERING = itertools.count(100_000, 1_000)


@pytest.fixture(autouse=True)
def numbering_goes_on() -> None:
    year = datetime.now(UTC).astimezone(ZoneInfo("Europe/Berlin")).year
    db.session.merge(CaseCounter(year=year, last=next(NUMBERING)))
    db.session.commit()


@pytest.fixture(scope="module")
def city_b(app: Flask, tmp_path_factory: pytest.TempPathFactory) -> Iterator[CityB]:
    city = create_city_b(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path_factory.mktemp("b"))
    city.start()
    yield city
    city.stop()


def _body(city: CityB, url: str | None = None) -> Body:
    spec = BodySpec(
        name="Stadt B",
        open311_url=url or city.open311_url,
        api_key=city.key,
        area_geojson=area_geojson(),
    )
    return add_body(spec)


def _reports_at_b(city: CityB, case_number: str) -> list[tuple]:
    """B's reports that name our case number (our description ends with it)."""
    return city.query(
        "SELECT case_number, reporter_email FROM reports WHERE description LIKE %s",
        f"%Vorgang {case_number}:%",
    )


def _job(report: Report) -> ExchangeJob:
    return db.session.scalars(select(ExchangeJob).where(ExchangeJob.report_id == report.id)).one()


def test_border_report_goes_to_b_and_b_s_status_comes_back(city_b, make_report, mailbox):
    body = _body(city_b)
    assert body.service_codes["licht"] == "licht"  # read from B's services list
    report = make_report(
        at=IN_B, reporter_email="anna@example.org", share_consent=True, published=False
    )
    assert report.body_id == body.id and report.district_id is not None
    assert _job(report).state == JobState.PENDING

    assert forward_due()["done"] == 1
    job = _job(report)
    at_b = _reports_at_b(city_b, report.case_number)
    # Exactly one report at B, with the contact data the reporter agreed to pass on.
    assert at_b == [(job.remote_id, "anna@example.org")]

    city_b.back_office(job.remote_id, "in_progress", "Wird morgen repariert.")
    results = sync_all()
    assert results["Stadt B"].added >= 1 and not results["Stadt B"].problems
    db.session.refresh(report)
    assert report.status == Status.IN_PROGRESS
    event = db.session.scalars(
        select(TimelineEvent).where(
            TimelineEvent.report_id == report.id, TimelineEvent.body_id == body.id
        )
    ).first()
    assert event is not None and event.kind == EventKind.STATUS_CHANGE and event.public

    send_due()
    mails = [m for m in mailbox.messages if m["To"] == "anna@example.org"]
    assert any("In Bearbeitung" in m["Subject"] for m in mails)
    # A second sync reads the same updates again and adds nothing.
    assert sync_all()["Stadt B"].added == 0


def test_without_consent_b_gets_no_personal_data(city_b, make_report):
    _body(city_b)
    report = make_report(at=IN_B, reporter_email="bert@example.org", published=True)
    assert forward_due()["done"] == 1
    assert _reports_at_b(city_b, report.case_number) == [(_job(report).remote_id, None)]


def test_unchecked_report_without_consent_waits(city_b, make_report):
    _body(city_b)
    report = make_report(at=IN_B, published=False)
    assert forward_due() == {}
    assert _job(report).state == JobState.PENDING
    assert _reports_at_b(city_b, report.case_number) == []


def test_b_killed_then_back_files_once(city_b, make_report):
    _body(city_b)
    report = make_report(at=IN_B, published=True)
    assert city_b.server is not None
    port = city_b.server.port
    city_b.stop()  # B's server is killed
    assert forward_due()["retry"] == 1
    job = _job(report)
    assert job.state == JobState.RETRY and "Nicht erreichbar" in (job.last_error or "")
    assert job.run_after > datetime.now(UTC)  # waits before the next try

    city_b.start(port)  # B is back on its address
    job.run_after = datetime.now(UTC)
    db.session.commit()
    assert forward_due()["done"] == 1
    assert len(_reports_at_b(city_b, report.case_number)) == 1


def test_lost_answer_is_retried_without_a_second_report(city_b, make_report):
    assert city_b.server is not None
    relay = Relay(city_b.server.port)
    try:
        _body(city_b, url=f"http://127.0.0.1:{relay.address}/open311/v2")
        report = make_report(at=IN_B, published=True)
        relay.swallow = True
        assert forward_due()["retry"] == 1
        assert len(_reports_at_b(city_b, report.case_number)) == 1  # B stored it

        job = _job(report)
        job.run_after = datetime.now(UTC)
        db.session.commit()
        assert forward_due()["done"] == 1
        at_b = _reports_at_b(city_b, report.case_number)
        assert at_b == [(_job(report).remote_id, None)]
    finally:
        relay.close()


def test_wrong_key_is_refused_when_the_body_is_added(city_b):
    from app.exchange.bodies import BodyRefused

    spec = BodySpec(name="Stadt B", open311_url=city_b.open311_url, api_key="falsch")
    with pytest.raises(BodyRefused) as refused:
        add_body(spec)
    assert "abgelehnt" in refused.value.errors["open311_url"]
    assert db.session.scalars(select(Body)).all() == []


def test_a_key_revoked_later_fails_the_job_visibly(city_b, make_report):
    body = _body(city_b)
    body.open311_key = "inzwischen-gesperrt"
    report = make_report(at=IN_B, published=True)
    assert forward_due()["failed"] == 1
    job = _job(report)
    assert job.state == JobState.FAILED and "403" in (job.last_error or "")
    assert _reports_at_b(city_b, report.case_number) == []


@pytest.fixture
def peer() -> Iterator[FakePeer]:
    fake = FakePeer()
    yield fake
    fake.close()


def _fake_body(peer: FakePeer) -> Body:
    return add_body(
        BodySpec(name="Kreis", open311_url=peer.url, api_key="k", area_geojson=area_geojson())
    )


@pytest.mark.parametrize(
    ("status", "answer", "state", "error"),
    [
        (200, b"<html>Wartung</html>", JobState.FAILED, "kein JSON"),
        (200, {"service_request_id": "1"}, JobState.FAILED, "keine Open311-Liste"),
        (200, [{"service_notice": "ok"}], JobState.FAILED, "keine service_request_id"),
        (503, b"[]", JobState.RETRY, "HTTP 503"),
        (400, [{"code": 400, "description": "lat: Fehlt."}], JobState.FAILED, "lat: Fehlt."),
    ],
)
def test_malformed_peer_answers_end_as_job_errors(peer, make_report, status, answer, state, error):
    _fake_body(peer)
    peer.set("requests.json", status, answer)
    report = make_report(at=IN_B, published=True)
    forward_due()
    job = _job(report)
    assert job.state == state and error in (job.last_error or "")
    assert job.remote_id is None


def test_unknown_status_in_a_peer_s_updates_is_skipped_and_shown(peer, make_report):
    body = _fake_body(peer)
    peer.set("requests.json", 201, [{"service_request_id": "K-1"}])
    report = make_report(at=IN_B, published=True)
    assert forward_due()["done"] == 1
    at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    update = {"service_request_id": "K-1", "updated_datetime": at, "description": "Hm."}
    peer.set(
        "servicerequestupdates.json",
        200,
        [
            update | {"update_id": "u1", "status": "BROKEN"},
            update | {"update_id": "u2", "status": "FIXED"},
        ],
    )
    result = sync_all()["Kreis"]
    assert result.added == 1 and "BROKEN" in result.problems[0]
    db.session.refresh(body)
    db.session.refresh(report)
    assert "BROKEN" in (body.sync_error or "")
    assert report.status == Status.RESOLVED


def test_a_peer_without_the_updates_extension_is_asked_for_its_requests(peer, make_report):
    _fake_body(peer)
    peer.set("requests.json", 201, [{"service_request_id": "K-2"}])
    report = make_report(at=IN_B, published=True)
    forward_due()
    # No servicerequestupdates there (404): requests.json tells the status.
    at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    closed = {"service_request_id": "K-2", "status": "closed", "updated_datetime": at}
    peer.set("requests.json", 200, [closed])
    assert sync_all()["Kreis"].added == 1
    db.session.refresh(report)
    assert report.status == Status.RESOLVED
    assert sync_all()["Kreis"].added == 0
