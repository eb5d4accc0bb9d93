"""The staff search page (/staff/suche?q=…): the field in the staff navigation leads here."""

from __future__ import annotations

from flask import make_response, redirect, render_template, request, url_for
from flask_login import current_user

from app.auth.access import roles
from app.security import private
from app.staff import search
from app.staff.views import bp


@bp.route("/suche")
@roles("admin", "dispatcher", "crew")
def search_page():
    raw = request.args.get("q", "")
    try:
        query = search.understand(raw)
    except search.SearchRefused as refused:
        return _page(raw, error=str(refused), status=400)
    if query is None:
        return _page(raw)
    results = search.search(current_user, query)
    if query.kind == "case" and results.reports:
        # A case number is one report: straight to it, as the public search does.
        return redirect(url_for(".report", case_number=query.value), 303)
    return _page(raw, query=query, results=results)


def _page(
    raw: str,
    query: search.Query | None = None,
    results: search.Results | None = None,
    error: str | None = None,
    status: int = 200,
):
    page = render_template(
        "staff/search.html",
        # A refused query is shown back only in its printable part (and at most the limit).
        typed="".join(c for c in raw if c.isprintable())[: search.MAX_LENGTH],
        query=query,
        results=results,
        error=error,
        original_only=search.matched_original_only,
    )
    # Results carry personal data (the reporter's e-mail or phone): never cached.
    return private(make_response(page, status))
