"""Wrong passwords slow down the one who types them, not the account's owner.

Each (login name, client network) pair has a row in login_throttles. After LOGIN_MAX_FAILURES
wrong passwords in a row from one network for one name, that network waits 2 s before its next
try for that name, then 4 s, 8 s, … up to LOGIN_LOCK_MINUTES. Any other network, the real user's
included, is not slowed down at all. The right password clears the pair's count; a pair without
a failure for a day starts afresh. The rows live in the database, so every worker sees them.
Nothing here commits: the caller's commit also releases the pair's row lock.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select, tuple_
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


def name_hash(name: str) -> str:
    """The login name as the table keys it: what people type there (sometimes a password) is
    not stored, and any name fits the column."""
    secret = current_app.config["SECRET_KEY"].encode()
    normalised = name.strip().lower().encode("utf-8", "surrogatepass")
    return hmac.new(secret, b"login:" + normalised, hashlib.sha256).hexdigest()


def claim(name: str, client: str) -> LoginThrottle:
    """The pair's row, locked until the caller commits: parallel tries of one pair are counted
    one after the other, so a burst cannot slip past the count. One statement inserts or locks,
    so a row that another try removes meanwhile is simply made again."""
    statement = insert(LoginThrottle).values(name_hash=name_hash(name), client=client, failures=0)
    statement = statement.on_conflict_do_update(
        index_elements=[LoginThrottle.name_hash, LoginThrottle.client],
        set_={"client": statement.excluded.client},
    )
    return db.session.scalars(
        statement.returning(LoginThrottle), execution_options={"populate_existing": True}
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
    _forget_old(now)


def record_success(row: LoginThrottle) -> None:
    # Cleared rather than deleted: a parallel try of the same pair may be waiting for this row.
    row.failures, row.blocked_until, row.last_failure_at = 0, None, None
    db.session.flush()


def forget_name(name: str) -> None:
    """Every network may try this name again at once (an admin set a new password)."""
    db.session.execute(
        delete(LoginThrottle)
        .where(LoginThrottle.name_hash == name_hash(name))
        .execution_options(synchronize_session=False)
    )


def _forget_old(now: datetime) -> None:
    """Keeps the table small without a scheduled job: cleared pairs and a day's silence go.
    Rows that another login holds are skipped, so two failing logins never wait for each
    other (no deadlock)."""
    old = (
        select(LoginThrottle.name_hash, LoginThrottle.client)
        .where((LoginThrottle.failures == 0) | (LoginThrottle.last_failure_at < now - FORGET_AFTER))
        .limit(100)
        .with_for_update(skip_locked=True)
    )
    db.session.execute(
        delete(LoginThrottle)
        .where(tuple_(LoginThrottle.name_hash, LoginThrottle.client).in_(old))
        .execution_options(synchronize_session=False)
    )
