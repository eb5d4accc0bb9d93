"""Public pages: start page with the map, report pages, photos and the legal pages."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, render_template, request

from app.language import preferred_language
from app.media import storage
from app.notifications.forms import FollowForm
from app.public import legal, service
from app.public.filters import FilterError, ReportFilter, parse_filter
from app.public.listing import list_reports
from app.public.projection import public_report
from app.reports.service import find_by_case_number

bp = Blueprint("public", __name__)


@bp.route("/")
def index():
    return render_template(
        "public/index.html",
        bounds=service.city_bounds(),
        flt=ReportFilter(),
        choices=service.filter_choices(),
    )


@bp.route("/meldungen")
def report_list():
    error, status = None, 200
    try:
        flt = parse_filter(request.args)
    except FilterError as exc:
        flt, error, status = ReportFilter(), str(exc), 400
    before = request.args.get("vor", "")
    page, next_id = list_reports(
        flt, int(before) if before.isdigit() and len(before) < 19 else None
    )
    return render_template(
        "public/list.html",
        reports=page,
        next_id=next_id,
        flt=flt,
        error=error,
        choices=service.filter_choices(),
    ), status


@bp.route("/meldungen/<case_number>")
def report(case_number: str):
    found = find_by_case_number(case_number)
    if found is None:
        abort(404)
    follow_form = FollowForm(language=preferred_language())
    return render_template("public/report.html", report=public_report(found), form=follow_form)


@bp.route("/fotos/<name>")
def photo(name: str):
    if service.public_photo(name) is None:
        abort(404)
    # Short caching: a photo hidden by staff must disappear soon from caches too.
    return storage.send_photo(name, max_age=300)


@bp.route("/api/v1/city.geojson")
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
