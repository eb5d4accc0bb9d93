"""Staff actions that never act twice. Every action form carries a `request_key` (a UUID the
page makes); an action that takes effect stores its key (RequestKey) in its own transaction.
The same form sent again — a double tap, a reload that resends, a phone replaying what it
queued offline after the answer got lost — finds the key and is answered as done.

views.act calls `claim` before it acts and `settle` just before its commit. A replay from the
offline queue (static/js/offline-queue.js) says so with the header X-Offline-Replay and gets
the outcome as JSON instead of a page: done (with the report's new version), conflict
(optimistic locking: changed meanwhile), refused (with the German message), login or retry.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from flask import (
    Flask,
    Response,
    flash,
    g,
    get_flashed_messages,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import CursorResult, delete, select
from sqlalchemy.exc import IntegrityError

from app.errors import MESSAGES
from app.extensions import db
from app.models import Report, RequestKey
from app.reports.service import find_by_case_number
from app.staff import actions

FIELD = "request_key"
REPLAY_HEADER = "X-Offline-Replay"
# The canonical text form of a UUID, as crypto.randomUUID() and uuid4() write it.
KEY_PATTERN = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}\Z")
# A phone offline for longer than this has older problems; the version check still refuses
# a change to a report that moved on.
KEEP_DAYS = 30

MALFORMED = (
    "Ungültiger Anfrageschlüssel (request_key): erwartet wird eine UUID wie "
    "0f8fad5b-d9cb-469f-a165-70867728950e. Bitte laden Sie die Seite neu."
)
SEVERAL = "Das Formular enthält mehr als einen Anfrageschlüssel (request_key)."
TAKEN = (
    "Dieser Anfrageschlüssel gehört schon zu einer anderen Änderung. Bitte laden Sie die "
    "Seite neu und senden Sie das Formular noch einmal."
)
ALREADY_DONE = "Diese Änderung war schon gespeichert; sie wurde nicht noch einmal ausgeführt."


class KeyRefused(ValueError):
    """A German message for a request_key that is no single UUID."""


def parse_key(values: list[str]) -> uuid.UUID | None:
    """The form's key; None when it has none (a form without one acts as before)."""
    if not values or values == [""]:
        return None
    if len(values) > 1:
        raise KeyRefused(SEVERAL)
    text = values[0]
    # The length first: a megabyte of text is refused before any pattern looks at it.
    if len(text) != 36 or not KEY_PATTERN.match(text):
        raise KeyRefused(MALFORMED)
    return uuid.UUID(text)


def find(user_id: int, key: uuid.UUID) -> RequestKey | None:
    return db.session.scalar(
        select(RequestKey).where(RequestKey.user_id == user_id, RequestKey.key == key)
    )


def claim(case_number: str, action: str) -> ResponseReturnValue | None:
    """Before an action: the answer when its key took effect already (or is refused), else
    None, with the key reserved in the action's transaction (a rollback frees it)."""
    try:
        key = parse_key(request.form.getlist(FIELD))
    except KeyRefused as refused:
        return _refuse(str(refused), 400)
    if key is None:
        return None
    done = find(current_user.id, key)
    if done is None:
        if not _may_act_on(case_number):
            return None  # the view refuses it (404, 403) before anything is reserved
        row = RequestKey(user_id=current_user.id, key=key, case_number=case_number, action=action)
        try:
            # The unique index makes a twin request that is still running wait here, and
            # fail once it committed: then its stored answer is ours.
            with db.session.begin_nested():
                db.session.add(row)
        except IntegrityError:
            done = find(current_user.id, key)
            if done is None:
                raise
        else:
            g.request_key = row
            return None
    return _answer_done(done, case_number, action)


def _may_act_on(case_number: str) -> bool:
    report = find_by_case_number(case_number)
    return report is not None and actions.may_work_on(current_user, report)


def settle(report: Report) -> None:
    """Just before the action's commit: the version it produced goes with its key."""
    row: RequestKey | None = g.get("request_key")
    if row is not None:
        db.session.flush()
        row.version_after = report.version


def _answer_done(done: RequestKey, case_number: str, action: str) -> ResponseReturnValue:
    if (done.case_number, done.action) != (case_number, action):
        return _refuse(TAKEN, 422)
    g.request_key_done = done
    flash(ALREADY_DONE, "ok")
    if not _may_act_on(case_number):  # rejected and deleted, or moved to another department
        return redirect(url_for("staff.home"))
    return redirect(url_for("staff.report", case_number=case_number))


def _refuse(message: str, code: int) -> ResponseReturnValue:
    g.replay_message = message
    return render_template("errors/error.html", code=code, message=message), code


def as_json(response: Response) -> Response:
    """The outcome of a replayed action for the offline queue; any other request unchanged."""
    if request.endpoint != "staff.act" or request.headers.get(REPLAY_HEADER) != "1":
        return response
    # Read (and so taken out of the session): a replay's "Gespeichert." is no later page's.
    flashed: list[tuple[str, str]] = get_flashed_messages(with_categories=True)  # type: ignore[assignment]
    errors = [message for category, message in flashed if category == "error"]
    code = response.status_code
    if 300 <= code < 400:
        if urlsplit(response.location or "").path == url_for("auth.login"):
            return _json(401, "login", "Bitte melden Sie sich wieder an.")
        done: RequestKey | None = g.get("request_key_done")
        row: RequestKey | None = g.get("request_key") or done
        version = row.version_after if row else None
        return _json(200, "done", "", version=version, repeated=done is not None)
    message = g.get("replay_message") or (errors[-1] if errors else None)
    message = message or MESSAGES.get(code, "Die Anfrage konnte nicht bearbeitet werden.")
    if code == 409:
        return _json(409, "conflict", message)
    if code >= 500:
        return _json(code, "retry", message)
    return _json(code, "refused", message)


def _json(code: int, outcome: str, message: str, **extra: object) -> Response:
    answer = jsonify(outcome=outcome, message=message, **extra)
    answer.status_code = code
    answer.headers["Cache-Control"] = "no-store, private"
    return answer


def purge(now: datetime | None = None) -> int:
    """Forgets keys older than KEEP_DAYS; nothing here commits."""
    cutoff = (now or datetime.now(UTC)) - timedelta(days=KEEP_DAYS)
    statement = delete(RequestKey).where(RequestKey.created_at < cutoff)
    result = db.session.execute(statement.execution_options(synchronize_session=False))
    return result.rowcount if isinstance(result, CursorResult) else 0


def init_app(app: Flask) -> None:
    app.after_request(as_json)
