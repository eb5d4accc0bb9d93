"""Staff accounts: creation, login (slowed down per name and network, see throttle), password
changes."""

from __future__ import annotations

import functools
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from app.auth.passwords import password_problem
from app.auth.throttle import (
    LoginPolicy,
    claim,
    record_failure,
    record_success,
    seconds_to_wait,
)
from app.extensions import db
from app.models import Department, User
from app.models.user import ROLES


class AccountError(ValueError):
    """A German message for the person creating or changing an account."""


@dataclass(frozen=True)
class Attempt:
    """A login attempt: the user, or None; `wait` > 0 when this network must wait that many
    seconds before it may try this name again (the password was not even checked)."""

    user: User | None
    wait: int = 0


def create_user(
    email: str, password: str, role: str, department_codes: list[str], name: str = ""
) -> User:
    address = _valid_email(email)
    if role not in ROLES:
        raise AccountError(f"Unbekannte Rolle „{role}“; erlaubt: {', '.join(ROLES)}.")
    problem = password_problem(password, [address, name])
    if problem:
        raise AccountError(problem)
    if find_by_email(address) is not None:
        raise AccountError(f"Es gibt schon ein Konto für {address}.")
    departments = departments_by_code(department_codes)
    if role == "crew" and not departments:
        raise AccountError("Ein Konto der Rolle crew braucht mindestens eine --department.")
    user = User(email=address, name=name or address, role=role, departments=departments)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def _valid_email(email: str) -> str:
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise AccountError(f"Ungültige E-Mail-Adresse: {exc}") from exc


def departments_by_code(codes: list[str]) -> list[Department]:
    """The departments with these codes; AccountError names any unknown one."""
    found = list(db.session.scalars(select(Department).where(Department.code.in_(codes))))
    unknown = sorted(set(codes) - {d.code for d in found})
    if unknown:
        raise AccountError(f"Unbekannte Abteilung: {', '.join(unknown)}.")
    return found


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def load_session_user(session_id: str) -> User | None:
    """The user of a session id "id:version"; an old version (password changed) is no one."""
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


@functools.cache
def _dummy_hash() -> str:
    return generate_password_hash(secrets.token_urlsafe(16))


def authenticate(email: str, password: str, client: str, policy: LoginPolicy) -> Attempt:
    """Checks the credentials unless this client network must wait for this name first.

    The caller commits either way, so failures are counted."""
    now = datetime.now(UTC)
    throttle = claim(email, client)
    wait = seconds_to_wait(throttle, now)
    if wait:
        return Attempt(None, wait)
    user = find_by_email(email)
    if user is None or not user.active:
        # As slow as a real check: the answer time must not tell which addresses have accounts.
        check_password_hash(_dummy_hash(), password)
        user = None
    elif not user.check_password(password):
        user = None
    if user is None:
        record_failure(throttle, policy, now)
    else:
        record_success(throttle)
    return Attempt(user)
