"""Public reads from a real streaming replica of the project-local cluster (scripts/pg.sh
replica start): the public pages read there, PostgreSQL refuses writes there, and a report
just filed is shown to its reporter while the replica lags behind.

These tests commit, so they use a database of their own (the test database's name with
"_replica"), rebuilt for every run; the replica copies it like everything else in the cluster."""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from flask import Flask
from flask_migrate import upgrade
from psycopg import sql
from sqlalchemy import event, exc, text
from sqlalchemy.engine import URL, Engine, make_url

from app import create_app
from app.demo.service import load_city
from app.extensions import db
from app.replica import BIND, COOKIE, MARK
from config import TestConfig, local_port
from tests.helpers import confirmation, form_data, post_report, tracking_link
from tests.mailbox import free_port

ROOT = Path(__file__).resolve().parents[1]
PUBLIC_READS = [
    "/",
    "/meldungen",
    "/api/v1/map?bbox=6.95,51.11,7.18,51.23&zoom=13",
    "/api/v1/nearby?lat=51.17&lon=7.08",
    "/open311/v2/requests.json",
    "/open311/v2/services.json",
    "/feeds/meldungen.atom",
    "/export/meldungen.csv",
    "/transparenz",
]


def _pg(*args: str) -> str:
    done = subprocess.run(
        ["bash", "scripts/pg.sh", *args], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _project_local(url: URL) -> bool:
    return (
        url.host in ("127.0.0.1", "localhost")
        and str(url.port) == local_port()
        and (ROOT / "instance" / "pg").exists()
    )


@pytest.fixture(scope="session")
def replica_port() -> Iterator[int]:
    """The port of a streaming replica of the test database's cluster, started for the run
    (and stopped after it) unless one was running already."""
    url = make_url(TestConfig.SQLALCHEMY_DATABASE_URI)
    if not _project_local(url):
        pytest.fail(
            "Die Replik-Tests brauchen den projekteigenen Cluster (scripts/pg.sh): "
            f"{url.render_as_string()} ist ein anderer."
        )
    was_running = "Läuft" in _pg("replica", "status")
    port = int(_pg("replica", "start").split()[-1])
    yield port
    if not was_running:
        _pg("replica", "stop")


def _database_url(name: str, port: int | None = None) -> str:
    url = make_url(TestConfig.SQLALCHEMY_DATABASE_URI).set(database=name)
    return url.set(port=port or url.port).render_as_string(hide_password=False)


def _fresh_database() -> str:
    url = make_url(TestConfig.SQLALCHEMY_DATABASE_URI)
    name = f"{url.database}_replica"
    admin = {"host": url.host, "port": url.port, "user": url.username, "password": url.password}
    with psycopg.connect(dbname="postgres", autocommit=True, **admin) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return name


def _app(name: str, replica_url: str, **settings: object) -> Flask:
    class ReplicaConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = _database_url(name)
        DATABASE_REPLICA_URL = replica_url

    application = create_app(ReplicaConfig)
    application.config.update(WTF_CSRF_ENABLED=False, **settings)
    return application


@pytest.fixture(scope="session")
def replica_app(replica_port: int, tmp_path_factory: pytest.TempPathFactory) -> Flask:
    name = _fresh_database()
    uploads = str(tmp_path_factory.mktemp("replica-uploads"))
    application = _app(name, _database_url(name, replica_port), UPLOAD_FOLDER=uploads)
    with application.app_context():
        upgrade()
        load_city()
        db.session.commit()
        _wait_for_replay(db.engine, db.engines[BIND])
        db.session.remove()
    return application


@pytest.fixture
def session() -> None:
    """Instead of conftest's rolled-back session: these tests commit, so that the replica
    can receive what they write."""


def _connect(engine: Engine, dbname: str | None = None) -> psycopg.Connection:
    """A plain connection, past the app's engine and its listeners (whose commit hook looks at
    the request context, which is no business of these helpers)."""
    url = engine.url
    return psycopg.connect(
        host=url.host,
        port=url.port,
        user=url.username,
        password=url.password,
        dbname=dbname or url.database,
        autocommit=True,
    )


def _flush_wal(primary: Engine) -> str:
    """A WAL position the replica reaches only by streaming what the primary has now: the end of
    a message (it changes nothing) in a transaction that commits synchronously. That commit also
    flushes all WAL before it, which with synchronous_commit off may otherwise wait in the WAL
    buffers for seconds before it goes to the replica. (A transaction that writes no WAL commits
    asynchronously whatever synchronous_commit says.)"""
    with _connect(primary) as connection, connection.transaction():
        connection.execute("SET LOCAL synchronous_commit = on")
        connection.execute("SELECT pg_logical_emit_message(true, 'maengelmelder', 'flush')")
        row = connection.execute("SELECT pg_current_wal_insert_lsn()").fetchone()
    assert row is not None
    return str(row[0])


def _wait_for_replay(primary: Engine, replica: Engine, seconds: float = 120) -> None:
    """The replica has replayed everything the primary had written when this was called, and a
    transaction of a moment ago (so its lag in seconds, the age of that transaction, is small).

    Asked in the replica's database "postgres": the test's own database may not be there yet,
    or be dropped under the connection, while the replica replays the run's fresh copy of it
    (say, after a restart of the primary, when its WAL receiver reconnects only after 5 s)."""
    position = _flush_wal(primary)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with _connect(replica, "postgres") as connection:
                while time.monotonic() < deadline:
                    replayed = connection.execute(
                        "SELECT pg_last_wal_replay_lsn() >= CAST(%s AS pg_lsn)", [position]
                    ).fetchone()
                    if replayed and replayed[0]:
                        return
                    time.sleep(0.05)
        except psycopg.OperationalError:  # not answering yet, or restarting
            time.sleep(0.2)
    raise AssertionError(f"the replica did not replay up to {position} in {seconds} s")


class Reads:
    """Which engine's connections ran the statements of the requests in between (not counting
    the routing's own looks at the replica's position)."""

    def __init__(self, application: Flask) -> None:
        with application.app_context():
            self.engines = {"primary": db.engine, "replica": db.engines[BIND]}
        self.seen: set[str] = set()
        for name, engine in self.engines.items():
            event.listen(engine, "before_cursor_execute", self._note(name))

    def _note(self, name: str):
        def note(connection, cursor, statement: str, *_: object) -> None:
            if MARK not in statement:
                self.seen.add(name)

        return note

    def of(self, response_of) -> set[str]:
        self.seen = set()
        response_of()
        return self.seen


def test_the_replica_is_a_hot_standby_that_refuses_writes(replica_app):
    with replica_app.app_context():
        replica = db.engines[BIND]
        with replica.connect() as connection:
            assert connection.scalar(text("SELECT pg_is_in_recovery()")) is True
            assert connection.scalar(text("SELECT count(*) FROM categories")) > 0
            with pytest.raises(exc.InternalError, match="read-only transaction"):
                connection.execute(text("UPDATE categories SET name_de = 'x'"))
        with db.engine.connect() as connection:
            assert connection.scalar(text("SELECT pg_is_in_recovery()")) is False


@pytest.mark.parametrize("path", PUBLIC_READS)
def test_public_reads_are_served_by_the_replica(replica_app, path):
    reads = Reads(replica_app)
    client = replica_app.test_client()
    answers = []
    assert reads.of(lambda: answers.append(client.get(path))) == {"replica"}
    assert answers[0].status_code == 200


def test_a_report_just_filed_is_shown_to_its_reporter_while_the_replica_lags(replica_app):
    reads = Reads(replica_app)
    reporter, neighbour = replica_app.test_client(), replica_app.test_client()
    with replica_app.app_context():
        data = form_data()
    health = replica_app.extensions["replica_health"]
    # The replica's last replayed transaction is a moment old: its lag in seconds, while paused,
    # does not depend on how long the tests before took.
    _wait_for_replay(reads.engines["primary"], reads.engines["replica"])
    paused = reads.engines["replica"].connect().execution_options(isolation_level="AUTOCOMMIT")
    paused.execute(text("SELECT pg_wal_replay_pause()"))
    try:
        assert post_report(reporter, data).status_code == 302
        # The report's commit is flushed on the primary (not only in its WAL buffers): the
        # replica has not replayed what the primary has.
        _flush_wal(reads.engines["primary"])
        assert reporter.get_cookie(COOKIE) is not None
        page = confirmation(reporter)
        case = re.search(r'class="case-number">([^<]+)<', page)[1]  # type: ignore[index]

        # The tracking page and the reporter's own view of the report read the primary.
        assert reads.of(lambda: _ok(reporter, tracking_link(page), case)) == {"primary"}
        assert reads.of(lambda: _ok(reporter, f"/meldungen/{case}", case)) == {"primary"}
        # Everyone else reads the replica, which has not replayed the report yet.
        assert reads.of(lambda: _missing(neighbour, f"/meldungen/{case}")) == {"replica"}
        # Unless it is further behind than REPLICA_MAX_LAG_SECONDS: then nobody reads there.
        health.max_lag, health.checked_at = 0, float("-inf")
        assert reads.of(lambda: _ok(neighbour, f"/meldungen/{case}", case)) == {"primary"}
    finally:
        health.max_lag = replica_app.config["REPLICA_MAX_LAG_SECONDS"]
        health.checked_at = float("-inf")
        paused.execute(text("SELECT pg_wal_replay_resume()"))
        paused.close()
    _wait_for_replay(reads.engines["primary"], reads.engines["replica"])
    assert reads.of(lambda: _ok(neighbour, f"/meldungen/{case}", case)) == {"replica"}
    # Caught up, the reporter's public pages come from the replica again.
    assert reads.of(lambda: _ok(reporter, f"/meldungen/{case}", case)) == {"replica"}


def _missing(client, path: str) -> None:
    assert client.get(path).status_code == 404


def _ok(client, path: str, case: str) -> None:
    answer = client.get(path)
    assert answer.status_code == 200 and case in answer.get_data(as_text=True)


def test_a_replica_cut_off_from_the_primary_is_behind_not_caught_up(replica_app):
    """The replica has replayed all it received, but not what the primary wrote since (as in
    the moment between a commit and its arrival, or while its primary restarts): by its own
    received and replayed positions it would be caught up; against the primary it lags."""
    health = replica_app.extensions["replica_health"]
    with replica_app.app_context():
        primary, replica = db.engine, db.engines[BIND]
    _wait_for_replay(primary, replica)
    with _connect(replica) as standby:
        conninfo = standby.execute("SHOW primary_conninfo").fetchone()[0]  # type: ignore[index]
        _set_primary_conninfo(standby, "")
        try:
            _wait_until(
                lambda: (
                    standby.execute("SELECT count(*) FROM pg_stat_wal_receiver").fetchone() == (0,)
                )
            )
            with _connect(primary) as connection:
                connection.execute("UPDATE categories SET name_de = name_de")
            position = _flush_wal(primary)
            assert standby.execute(
                "SELECT pg_last_wal_replay_lsn() < CAST(%s AS pg_lsn)", [position]
            ).fetchone() == (True,)
            health.max_lag, health.checked_at = 0, float("-inf")
            reads = Reads(replica_app)
            assert reads.of(lambda: _ok_list(replica_app.test_client())) == {"primary"}
            assert health.usable is False
        finally:
            health.max_lag = replica_app.config["REPLICA_MAX_LAG_SECONDS"]
            health.checked_at = float("-inf")
            _set_primary_conninfo(standby, conninfo)
    _wait_for_replay(primary, replica)
    reads = Reads(replica_app)
    assert reads.of(lambda: _ok_list(replica_app.test_client())) == {"replica"}


def _set_primary_conninfo(standby: psycopg.Connection, conninfo: str) -> None:
    """Empty: the replica's WAL receiver stops; else it streams from the primary again."""
    standby.execute(sql.SQL("ALTER SYSTEM SET primary_conninfo = {}").format(sql.Literal(conninfo)))
    standby.execute("SELECT pg_reload_conf()")


def _wait_until(condition, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_a_replica_that_does_not_answer_is_left_out(replica_app):
    name = make_url(replica_app.config["SQLALCHEMY_DATABASE_URI"]).database
    assert name is not None
    application = _app(name, _database_url(name, free_port()))
    reads = Reads(application)
    client = application.test_client()
    assert reads.of(lambda: _ok_list(client)) == {"primary"}


@pytest.mark.parametrize("value", ["kaputt", "0/0'; DROP TABLE reports; --", "F" * 4000])
def test_a_forged_position_cookie_changes_nothing(replica_app, value):
    reads = Reads(replica_app)
    client = replica_app.test_client()
    client.set_cookie(COOKIE, value, domain="localhost")
    assert reads.of(lambda: _ok_list(client)) == {"replica"}


def _ok_list(client) -> None:
    assert client.get("/meldungen").status_code == 200


def test_the_privacy_page_names_the_position_cookie(replica_app):
    """With a replica a second cookie is set after a change; the privacy page says so, and for
    how long (without one, tests/test_privacy.py: only the session)."""
    client = replica_app.test_client()
    with replica_app.app_context():
        data = form_data()
    assert post_report(client, data).status_code == 302
    seconds = replica_app.config["REPLICA_MAX_LAG_SECONDS"] + 5
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None and cookie.max_age == seconds
    page = client.get("/datenschutz").get_data(as_text=True)
    assert f"nach einer Änderung für {seconds} Sekunden ein Vermerk ohne persönliche Daten" in page


def test_only_public_views_read_the_replica(replica_app):
    reading = {
        rule.endpoint
        for rule in replica_app.url_map.iter_rules()
        if getattr(replica_app.view_functions[rule.endpoint], "reads_replica", False)
    }
    assert reading == {
        "public.index",
        "public.report_list",
        "public.find_case",
        "public.report",
        "public.photo",
        "public.city_outline",
        "map.map_data",
        "nearby.find",
        "addresses.find",
        "addresses.place",
        "opendata.feed",
        "opendata.export_geojson",
        "opendata.export_csv",
        "stats.transparency",
        "open311.discovery",
        "open311.services",
        "open311.service_definition",
        "open311.service_requests",
        "open311.service_request",
        "open311.service_request_updates",
    }
    # Forms, the confirmation, the reporter's tracking page, staff and admin: the primary.
    assert not any(e.split(".")[0] in {"staff", "admin", "auth"} for e in reading)
    assert {"reports.tracking", "reports.confirmation", "open311.token"}.isdisjoint(reading)
