"""Helpers for the admin tests (no tests here): staff accounts, logging in, counting rows."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from app.auth.service import create_user
from app.extensions import db
from app.models import User

PASSWORD = "lange-sichere-passphrase"
ACCOUNTS = {
    "admin": ("admin@example.org", "admin", []),
    "dispatcher": ("poststelle@example.org", "dispatcher", []),
    "crew": ("licht@example.org", "crew", ["tbs-licht"]),
}


def make_staff() -> dict[str, User]:
    accounts = {
        key: create_user(email, PASSWORD, role, departments, name=key.capitalize())
        for key, (email, role, departments) in ACCOUNTS.items()
    }
    # Committed (a savepoint of the test's transaction): a refused change rolls back the
    # request's work, and must not take the test's accounts with it.
    db.session.commit()
    return accounts


def login(client: FlaskClient, email: str, password: str = PASSWORD) -> TestResponse:
    return client.post("/anmelden", data={"email": email, "password": password})


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def page_text(response: TestResponse) -> str:
    return response.get_data(as_text=True)


def refused(response: TestResponse, *phrases: str) -> str:
    """A 422 page that names every phrase (HTML-escaped quotes aside). Returns the page."""
    text = page_text(response).replace("&#34;", '"').replace("&#39;", "'")
    assert response.status_code == 422, text[:2000]
    for phrase in phrases:
        assert phrase in text, f"{phrase!r} not on the page"
    return text
