"""Staff login and logout. Everything under /staff and /admin needs a login (see guard)."""

from __future__ import annotations

import math
import re

from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_user, logout_user, user_logged_in, user_logged_out
from werkzeug.wrappers import Response

from app.auth import service, sessions
from app.auth.forms import LoginForm
from app.auth.throttle import LoginPolicy, client_network
from app.extensions import db, limiter, login_manager

bp = Blueprint("auth", __name__)
PROTECTED = ("/staff", "/admin")
# Control characters (CR/LF above all) cannot go into a Location header.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _login_limit() -> str:
    return current_app.config["RATELIMIT_LOGIN"]


@bp.route("/anmelden", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    form = LoginForm()
    if request.method != "POST":
        form.next.data = request.args.get("next", "")
        return render_template("auth/login.html", form=form)
    if form.validate():
        target = _safe_next(form.next.data)  # checked before the login changes anything
        attempt = service.authenticate(
            form.email.data, form.password.data, client_network(request.remote_addr), _policy()
        )
        db.session.commit()  # failed attempts are counted too
        if attempt.user is not None:
            login_user(attempt.user)
            return redirect(target)
        if attempt.wait:
            return _must_wait(form, attempt.wait)
        form.password.errors = [_("E-Mail oder Passwort falsch.")]
    return render_template("auth/login.html", form=form), 422


def _policy() -> LoginPolicy:
    config = current_app.config
    return LoginPolicy(config["LOGIN_MAX_FAILURES"], config["LOGIN_LOCK_MINUTES"] * 60)


def _must_wait(form: LoginForm, seconds: int) -> tuple[str, int, dict[str, str]]:
    if seconds < 120:
        duration = ngettext("%(num)d Sekunde", "%(num)d Sekunden", seconds)
    else:
        duration = ngettext("%(num)d Minute", "%(num)d Minuten", math.ceil(seconds / 60))
    form.password.errors = [
        _(
            "Zu viele falsche Passwörter für dieses Konto von Ihrem Anschluss aus. Bitte warten "
            "Sie %(duration)s und versuchen Sie es dann noch einmal.",
            duration=duration,
        )
    ]
    page = render_template("auth/login.html", form=form)
    return page, 429, {"Retry-After": str(seconds)}


def _safe_next(target: str | None) -> str:
    # Only paths on this site: an open redirect would help phishing.
    if (
        target
        and target.startswith(PROTECTED)
        and "//" not in target
        and "\\" not in target
        and not CONTROL.search(target)
    ):
        return target
    return url_for("staff.home")


@bp.route("/abmelden", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        # The cookie lives on in copies (another tab, a stolen backup): a new session generation
        # makes every copy worthless. It ends the account's other sessions too.
        current_user.end_sessions()
        db.session.commit()
    logout_user()
    return redirect(url_for("auth.login"))


def guard() -> Response | None:
    """Login required by default: every path under /staff and /admin, present or future."""
    if request.path.startswith(PROTECTED) and not current_user.is_authenticated:
        if g.pop("session_expired", False):
            hours = current_app.config["STAFF_SESSION_HOURS"]
            flash(
                _(
                    "Ihre Sitzung ist abgelaufen, weil Sie %(hours)d Stunden lang nichts getan "
                    "haben. Bitte melden Sie sich erneut an.",
                    hours=hours,
                ),
                "notice",
            )
        return redirect(url_for("auth.login", next=request.path))
    return None


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.user_loader(service.load_session_user)
    user_logged_in.connect(sessions.mark_login)
    user_logged_out.connect(sessions.forget_login)
    app.before_request(sessions.end_idle_session)  # before the guard, which says why
    app.before_request(guard)
