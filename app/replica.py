"""Public reads from a streaming read replica (DATABASE_REPLICA_URL).

Views marked with `reads_replica` (map, list, report pages, Open311 GET, feeds, exports,
statistics) read from the replica when a GET comes from someone who is not logged in. Writes
and everything else stay on the primary: staff pages, forms, the confirmation and the tracking
page (a citizen's own page never shows stale data). PostgreSQL itself refuses writes on the
replica (a hot standby), and the ORM's flushes always go to the primary.

Lag is handled three ways: a replica further behind than REPLICA_MAX_LAG_SECONDS, or one that
does not answer, is left out until it is back (checked at most once a second per process);
a browser that has just changed something carries the primary's WAL position in a short-lived
cookie, and its public pages come from the primary until the replica has replayed that far.
Both compare the replica's replay position with a position taken on the primary: the replica
alone cannot know what it has not received yet.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import Flask, Response, current_app, g, has_request_context, request
from flask_login import current_user
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session

log = logging.getLogger(__name__)

BIND = "replica"
# The primary's WAL position after this browser's last change ("0/16B3748").
COOKIE = "mm_wal"
LSN = re.compile(r"[0-9A-F]{1,8}/[0-9A-F]{1,8}")
HEALTH_SECONDS = 1.0
# The routing's own statements say so (tests and the benchmark leave them out of what they count).
MARK = "/* replica routing */ "
# Everything the primary has flushed is what the replica can have received: an asynchronous
# commit not yet flushed is not on the primary's disk either.
FLUSHED_SQL = MARK + "SELECT pg_current_wal_flush_lsn()"
# The position of this browser's last change: the insert position, for with synchronous_commit
# off the commit record may not be flushed yet; it lies before this position in any case.
INSERTED_SQL = MARK + "SELECT pg_current_wal_insert_lsn()"
# Replay lag against the primary's flushed position (not the replica's own received one, which
# equals its replayed one while the WAL is still on its way or the replica is cut off): none
# once the replica has replayed that far, else the age of the last transaction it replayed
# (the primary may have been idle before, which only overstates the lag of a replica that is
# behind anyway), and unknown (NULL: left out) if it has replayed none since it started.
LAG_SQL = (
    MARK
    + """SELECT CASE WHEN pg_last_wal_replay_lsn() >= CAST(:position AS pg_lsn) THEN 0
    ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp()) END"""
)
REPLAYED_SQL = MARK + "SELECT pg_last_wal_replay_lsn() >= CAST(:position AS pg_lsn)"

View = TypeVar("View", bound=Callable[..., Any])


def reads_replica(view: View) -> View:
    """Mark a public view whose GETs may be answered from the read replica."""
    view.reads_replica = True  # type: ignore[attr-defined]
    return view


class RoutingSession(Session):
    """Flask-SQLAlchemy's session, reading from the replica where the request chose it."""

    def get_bind(
        self,
        mapper: Any | None = None,
        clause: Any | None = None,
        bind: sa.engine.Engine | sa.engine.Connection | None = None,
        **kwargs: Any,
    ) -> sa.engine.Engine | sa.engine.Connection:
        if bind is None and not self._flushing and has_request_context() and g.get(BIND):
            return _db().engines[BIND]
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)


@dataclass
class Health:
    """This process's last look at the replica."""

    max_lag: float
    checked_at: float = float("-inf")
    usable: bool | None = None  # not looked at yet


def init_app(app: Flask) -> None:
    """Call before db.init_app: the replica becomes the bind "replica"."""
    url = app.config.get("DATABASE_REPLICA_URL")
    if not url:
        return
    app.config["SQLALCHEMY_BINDS"] = {**app.config.get("SQLALCHEMY_BINDS", {}), BIND: url}
    app.extensions["replica_health"] = Health(float(app.config["REPLICA_MAX_LAG_SECONDS"]))


def init_routing(app: Flask) -> None:
    """Call after every other before_request hook is in place (the login ones first)."""
    if "replica_health" not in app.extensions:
        return
    with app.app_context():
        sa.event.listen(_db().engine, "commit", _note_commit)
    app.before_request(_choose_database)
    app.after_request(_remember_position)


def _choose_database() -> None:
    # Set afresh for every request (tests share `g` between requests), and never cleared at its
    # end: an export streams its rows after the request's teardown, from the same database.
    g.pop(BIND, None)
    view = current_app.view_functions.get(request.endpoint or "")
    if request.method not in ("GET", "HEAD") or not getattr(view, "reads_replica", False):
        return
    # Staff read what they have just changed, and staff pages are never on the replica.
    if current_user.is_authenticated or not _usable():
        return
    position = request.cookies.get(COOKIE, "")
    if LSN.fullmatch(position) and not _replayed(position):
        return
    g.replica = True


def _usable() -> bool:
    health: Health = current_app.extensions["replica_health"]
    now = time.monotonic()
    if now - health.checked_at < HEALTH_SECONDS:
        return bool(health.usable)
    health.checked_at = now
    try:
        # The primary first: a replica that has replayed this far had it all when asked.
        with _db().engine.connect() as connection:
            position = connection.execute(sa.text(FLUSHED_SQL)).scalar()
        with _db().engines[BIND].connect() as connection:
            lag = connection.execute(sa.text(LAG_SQL), {"position": position}).scalar()
        usable, why = lag is not None and lag <= health.max_lag, f"lag {lag} s"
    except sa.exc.DBAPIError as exc:
        usable, why = False, str(exc.orig).strip()
    if usable != health.usable:  # said once per change, not once a second
        level = logging.INFO if usable else logging.WARNING
        log.log(level, "Read replica %s (%s).", "in use" if usable else "left out", why)
    health.usable = usable
    return usable


def _replayed(position: str) -> bool:
    """The replica has replayed the WAL up to `position` (if it cannot say: no)."""
    try:
        with _db().engines[BIND].connect() as connection:
            return bool(connection.execute(sa.text(REPLAYED_SQL), {"position": position}).scalar())
    except sa.exc.DBAPIError:
        return False


def _db() -> SQLAlchemy:
    # Not imported: app.extensions imports this module for the session class.
    return current_app.extensions["sqlalchemy"]


def _note_commit(connection: sa.engine.Connection) -> None:
    if has_request_context():
        g.committed = True


def _remember_position(response: Response) -> Response:
    """After a change, this browser reads from the primary until the replica has it."""
    if g.pop("committed", False):
        with _db().engine.connect() as connection:
            position = connection.execute(sa.text(INSERTED_SQL)).scalar()
        config = current_app.config
        response.set_cookie(
            COOKIE,
            str(position),
            # Past this, a replica that is still behind is left out for everyone anyway.
            max_age=int(config["REPLICA_MAX_LAG_SECONDS"]) + 5,
            httponly=True,
            samesite="Lax",
            secure=config["SESSION_COOKIE_SECURE"],
        )
    return response
