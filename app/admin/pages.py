"""What every admin page does alike: find a row or 404, run and commit one change (a refused
change is rolled back and its message flashed), and say it was done."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from app.admin.service import AdminError
from app.extensions import db

M = TypeVar("M")
Page = tuple[str, int]


def found_or_404(model: type[M], key: int) -> M:
    # Ids beyond PostgreSQL's integer would make the query fail instead of finding nothing.
    row = db.session.get(model, key) if 0 < key < 2**31 else None
    if row is None:
        abort(404)
    return row


def saved(change: Callable[..., object], *args: object) -> bool:
    """Run one change and commit it; a refused change is rolled back and its message flashed."""
    try:
        change(*args)
        db.session.commit()
    except AdminError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return False
    except IntegrityError:
        # Two admins creating the same code at the same moment: the database has the last word.
        db.session.rollback()
        flash(_("Das wurde inzwischen schon angelegt. Bitte laden Sie die Seite neu."), "error")
        return False
    return True


def done(message: str, endpoint: str, **values: Any) -> Response:
    flash(message, "ok")
    return redirect(url_for(endpoint, **values))
