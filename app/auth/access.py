"""Who may do what: roles checked by the server, whatever a page shows."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort, redirect, url_for
from flask_login import current_user


def roles(*allowed: str) -> Callable:
    """Only these roles; the server enforces it whatever the page shows."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def checked(*args: object, **kwargs: object):
            if not current_user.is_authenticated:
                return redirect(url_for("auth.login"))
            if current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        return checked

    return decorate
