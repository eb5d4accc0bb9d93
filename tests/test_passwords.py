"""Staff passwords: the most common ones and trivial patterns are refused wherever a password
is set — `flask users create`, the admin's new account and new password (see test_admin)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import User

REFUSED = [
    ("passwort1234", "häufigsten Passwörtern"),
    ("password1234", "häufigsten Passwörtern"),
    ("123456789012", "häufigsten Passwörtern"),
    ("hallo1234567", "häufigsten Passwörtern"),
    ("1q2w3e4r5t6z", "häufigsten Passwörtern"),
    ("aaaaaaaaaaaa", "Wiederholungen"),
    ("geheimgeheim", "Wiederholungen"),
    ("abcdefghijkl", "Folgen"),
    ("qwertzuiop12", "naheliegendes Wort"),
    ("Passwort2024!", "naheliegendes Wort"),
    ("Solingen2024!", "naheliegendes Wort"),  # the city's name
    ("Mustermann2024", "Ihren Namen"),  # the account's own name
    ("erika.mustermann1", "Ihre E-Mail-Adresse"),
]


def create(app, password: str):
    return app.test_cli_runner().invoke(
        args=[
            *("users", "create", "--email", "erika.mustermann@example.org"),
            *("--name", "Erika Mustermann", "--role", "admin", "--password", password),
        ]
    )


def account() -> User | None:
    return db.session.scalar(select(User).where(User.email == "erika.mustermann@example.org"))


@pytest.mark.parametrize(("password", "reason"), REFUSED)
def test_guessable_passwords_are_refused(app, password, reason):
    result = create(app, password)
    assert result.exit_code == 1
    assert "Dieses Passwort ist zu leicht zu erraten" in result.output
    assert reason in result.output
    assert account() is None


@pytest.mark.parametrize("password", ["Tulpe-Kompass-Regen", "lange-sichere-passphrase"])
def test_unrelated_words_will_do(app, password):
    result = create(app, password)
    assert result.exit_code == 0, result.output
    assert account().check_password(password)
