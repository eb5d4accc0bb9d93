"""The staff area. Login is enforced for all of /staff by app.auth.views.guard; roles here."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user

from app.staff import service

bp = Blueprint("staff", __name__, url_prefix="/staff")


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


@bp.route("/")
@roles("admin", "dispatcher", "crew")
def home():
    if current_user.role == "crew":
        return redirect(url_for(".queue"))
    return redirect(url_for(".inbox"))


@bp.route("/eingang")
@roles("admin", "dispatcher")
def inbox():
    return render_template("staff/inbox.html", reports=service.inbox())


@bp.route("/warteschlange")
@roles("admin", "dispatcher", "crew")
def queue():
    return render_template("staff/queue.html", reports=service.queue(current_user))
