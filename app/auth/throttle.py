"""Wrong passwords slow down the one who types them, not the account's owner.

Each (login name, client network) pair has a row in login_throttles. After LOGIN_MAX_FAILURES
wrong passwords in a row from one network for one name, that network waits 2 s before its next
try for that name, then 4 s, 8 s, … up to LOGIN_LOCK_MINUTES. Any other network, the real user's
included, is not slowed down at all. The right password deletes the pair's row; a pair without
a failure for a day starts afresh. The rows live in the database, so every worker sees them.
Nothing here commits: the caller's commit also releases the pair's row lock.
"""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert

from app.extensions import db
from app.models import LoginThrottle

FORGET_AFTER = timedelta(days=1)


@dataclass(frozen=True)
class LoginPolicy:
    free_failures: int  # LOGIN_MAX_FAILURES
    max_wait_seconds: int  # LOGIN_LOCK_MINUTES, in seconds


def client_network(address: str | None) -> str:
    """The address as the throttle counts it: IPv4 as is, IPv6 by its /64 network."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return (address or "unbekannt")[:50]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def claim(email: str, client: str) -> LoginThrottle:
    """The pair's row, locked until the caller commits: parallel tries of one pair are counted
    one after the other, so a burst cannot slip past the count."""
    db.session.execute(
        insert(LoginThrottle)
        .values(email=email, client=client, failures=0)
        .on_conflict_do_nothing()
    )
    return db.session.scalars(
        select(LoginThrottle)
        .where(LoginThrottle.email == email, LoginThrottle.client == client)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def seconds_to_wait(row: LoginThrottle, now: datetime) -> int:
    if row.blocked_until is None or row.blocked_until <= now:
        return 0
    return math.ceil((row.blocked_until - now).total_seconds())


def record_failure(row: LoginThrottle, policy: LoginPolicy, now: datetime) -> None:
    if row.last_failure_at is not None and row.last_failure_at < now - FORGET_AFTER:
        row.failures = 0
    row.failures += 1
    row.last_failure_at = now
    over = row.failures - policy.free_failures
    if over >= 0:
        wait = min(2 ** (over + 1), policy.max_wait_seconds)
        row.blocked_until = now + timedelta(seconds=wait)
    db.session.flush()
    # Keeps the table small without a scheduled job: failed logins are rate limited anyway.
    _deleted(LoginThrottle.last_failure_at < now - FORGET_AFTER)


def record_success(row: LoginThrottle) -> None:
    db.session.delete(row)


def forget_name(email: str) -> None:
    """Every network may try this name again at once (an admin set a new password)."""
    _deleted(LoginThrottle.email == email.strip().lower())


def _deleted(condition) -> None:
    db.session.execute(
        delete(LoginThrottle).where(condition).execution_options(synchronize_session=False)
    )
