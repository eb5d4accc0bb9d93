"""Tests run against a real PostGIS database (TEST_DATABASE_URL, by default the project-local
cluster's maengelmelder_test). The schema is built once by the migrations; every test runs in a
transaction that is rolled back, so tests never see each other's data."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask, g
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import text
from sqlalchemy.orm import Session, scoped_session, sessionmaker

from app import create_app
from app.demo.service import load_city
from app.extensions import db
from config import TestConfig
from tests.mailbox import Mailbox

pytest_plugins = ["tests.fixtures.open311", "tests.fixtures.reports", "tests.fixtures.staff"]


def _rebuild_schema() -> None:
    tables = ", ".join(f'"{t}"' for t in db.metadata.tables)
    with db.engine.begin() as connection:
        connection.execute(text(f"DROP TABLE IF EXISTS {tables}, alembic_version CASCADE"))
    upgrade()


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    uploads = tmp_path_factory.mktemp("uploads")
    application = create_app(TestConfig)
    application.config.update(UPLOAD_FOLDER=str(uploads), WTF_CSRF_ENABLED=False)

    def forget_the_user_of_the_last_request() -> None:
        # Tests keep one app context open, so requests share `g`; in production every request
        # has its own, and Flask-Login must load the user afresh each time. First in line, so
        # the login guard already sees the fresh user.
        g.pop("_login_user", None)

    application.before_request_funcs.setdefault(None, []).insert(
        0, forget_the_user_of_the_last_request
    )

    with application.app_context():
        _rebuild_schema()
        load_city()
        db.session.commit()
        db.session.remove()
    yield application


@pytest.fixture(autouse=True)
def session(app: Flask) -> Iterator[scoped_session]:
    """Bind every session of the test to one connection whose transaction is rolled back."""
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        original = db.session
        # A plain SQLAlchemy session: Flask-SQLAlchemy's own ignores `bind` for model queries.
        factory = sessionmaker(
            bind=connection, join_transaction_mode="create_savepoint", class_=Session
        )
        db.session = scoped_session(factory)
        try:
            yield db.session
        finally:
            db.session.remove()
            db.session = original
            outer.rollback()
            connection.close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def uploads(app: Flask) -> Path:
    """The upload folder, emptied before the test."""
    folder = Path(app.config["UPLOAD_FOLDER"])
    for path in folder.iterdir():
        path.unlink()
    return folder


@pytest.fixture
def mailbox(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[Mailbox]:
    """A real SMTP server on loopback; the app sends to it."""
    box = Mailbox().start()
    monkeypatch.setitem(app.config, "MAIL_PORT", box.port)
    yield box
    box.stop()
