"""Public pages: start page with the map, report pages, photos and the legal pages."""

from __future__ import annotations

import re

from flask import Blueprint, abort, jsonify, redirect, render_template, request, url_for

from app.language import preferred_language
from app.media import storage
from app.notifications.forms import FollowForm
from app.public import legal, service
from app.public.filters import (
    DEFAULT_STATUS,
    FilterError,
    ReportFilter,
    parse_filter,
    with_default,
)
from app.public.listing import NEWEST, SORTS, list_reports
from app.public.projection import public_report
from app.replica import reads_replica
from app.reports.service import find_by_case_number

bp = Blueprint("public", __name__)


def _page_filter() -> tuple[ReportFilter, str | None]:
    """The filter of the start page and the list (the default status when none is given), or
    the default and the message when the query is bad."""
    try:
        return parse_filter(with_default(request.args)), None
    except FilterError as exc:
        return parse_filter(with_default({})), str(exc)


@bp.route("/")
@reads_replica
def index():
    # The map reads the form's values, so a filtered link (/?category=licht) shows that view.
    flt, _ = _page_filter()
    return render_template(
        "public/index.html",
        bounds=service.city_bounds(),
        flt=flt,
        default_status=DEFAULT_STATUS,
        choices=service.filter_choices(),
    )


@bp.route("/meldungen")
@reads_replica
def report_list():
    flt, error = _page_filter()
    sort = request.args.get("sortierung", NEWEST)
    if sort not in SORTS:
        sort, error = NEWEST, error or "Unbekannte Sortierung; die Liste zeigt die neuesten zuerst."
    before = _number(request.args.get("vor"))
    count = _number(request.args.get("stimmen"), most=2**31 - 1)  # support_count is an integer
    return _list_page(flt, before, error, 400, sort, count)


def _number(raw: str | None, most: int = 2**63 - 1) -> int | None:
    """A page cursor's id or count: ASCII digits ("²" is a digit to Python) up to `most`, else
    None (the first page)."""
    if not raw or not raw.isascii() or not raw.isdigit() or len(raw) > 19:
        return None
    return int(raw) if int(raw) <= most else None


def _list_page(
    flt: ReportFilter,
    before: int | None,
    error: str | None,
    status: int,
    sort: str = NEWEST,
    before_count: int | None = None,
):
    page, next_id = list_reports(flt, before, sort, before_count)
    return render_template(
        "public/list.html",
        reports=page,
        next_id=next_id,
        # The count the next page's keyset starts after, as this page shows it.
        next_count=page[-1].support_count if next_id else None,
        sort=sort,
        sorts=SORTS,
        flt=flt,
        default_status=DEFAULT_STATUS,
        error=error,
        choices=service.filter_choices(),
    ), (status if error else 200)


CASE_NUMBER = re.compile(r"(\d{4})\s*[-–/ ]\s*0*(\d{1,12})")


@bp.route("/meldungen/suche")
@reads_replica
def find_case():
    """The header's search: a case number leads to its report's page (as the link to it
    would); anything else to the list with a message. The answer says no more than the report
    pages do: a number that exists has a public page anyway."""
    raw = (request.args.get("nummer") or "").strip()[:40]
    match = CASE_NUMBER.fullmatch(raw)
    if match:
        number = f"{match[1]}-{int(match[2]):06d}"
        if find_by_case_number(number) is not None:
            return redirect(url_for("public.report", case_number=number), 303)
        error = (
            f"Keine Meldung mit der Vorgangsnummer {number} gefunden. Bitte prüfen Sie die "
            "Nummer; sie steht in der Bestätigung Ihrer Meldung."
        )
        status = 404
    elif raw and raw.isprintable():
        error = f"„{raw}“ ist keine Vorgangsnummer. Eine Vorgangsnummer sieht so aus: 2026-000123."
        status = 400
    else:
        error = "Bitte geben Sie eine Vorgangsnummer ein, zum Beispiel 2026-000123."
        status = 400
    return _list_page(parse_filter(with_default({})), None, error, status)


@bp.route("/meldungen/<case_number>")
@reads_replica
def report(case_number: str):
    found = find_by_case_number(case_number)
    if found is None:
        abort(404)
    follow_form = FollowForm(language=preferred_language())
    return render_template("public/report.html", report=public_report(found), form=follow_form)


@bp.route("/fotos/<name>")
@reads_replica
def photo(name: str):
    if service.public_photo(name) is None:
        abort(404)
    # Short caching: a photo hidden by staff must disappear soon from caches too.
    return storage.send_photo(name, max_age=300)


@bp.route("/api/v1/city.geojson")
@reads_replica
def city_outline():
    response = jsonify(service.city_outline())
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response


@bp.route("/ueber")
def about():
    return render_template("public/about.html")


@bp.route("/datenschutz")
def privacy():
    return render_template("public/privacy.html", custom=legal.custom_text("datenschutz"))


@bp.route("/impressum")
def imprint():
    return render_template("public/imprint.html", custom=legal.custom_text("impressum"))


@bp.route("/barrierefreiheit")
def accessibility():
    custom = legal.custom_text("barrierefreiheit")
    return render_template("public/accessibility.html", custom=custom)
