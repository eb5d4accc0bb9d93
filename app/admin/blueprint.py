"""The admin blueprint and its role guard, shared by the modules that add pages to it (views,
mails); it imports neither of them, so they never import each other."""

from __future__ import annotations

from flask import Blueprint

from app.auth.access import roles

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@roles("admin")
def admin_only() -> None:
    """Every page of the blueprint, present or future: you opt out of protection, never in."""
