"""How long a staff session lasts. The session cookie is signed but lives in the browser, so
the server decides: the session id names the account's session generation (a logout or a new
password starts a new one, and every older cookie is no one), and a session that saw no
request for STAFF_SESSION_HOURS ends."""

from __future__ import annotations

import time

from flask import current_app, g, session
from flask_login import logout_user

# Unix time of the session's last request.
LAST_SEEN = "staff_seen"
# Rewrite the cookie at most once a minute, not on every request.
REFRESH_SECONDS = 60


def mark_login(_sender: object, **_extra: object) -> None:
    """Flask-Login's user_logged_in signal: the idle clock starts now."""
    session[LAST_SEEN] = int(time.time())


def forget_login(_sender: object, **_extra: object) -> None:
    """Flask-Login's user_logged_out signal."""
    session.pop(LAST_SEEN, None)


def end_idle_session() -> None:
    """Logs out a session idle for longer than STAFF_SESSION_HOURS (or one that never had an
    idle clock); g.session_expired tells the login guard to say why."""
    if "_user_id" not in session:
        return
    now = int(time.time())
    seen = session.get(LAST_SEEN)
    if not isinstance(seen, int) or now - seen > idle_limit():
        logout_user()
        g.session_expired = True
    elif now - seen >= REFRESH_SECONDS:
        session[LAST_SEEN] = now


def idle_limit() -> int:
    return current_app.config["STAFF_SESSION_HOURS"] * 3600
