"""Public pages: start page with the map, report pages, photos and the legal pages."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, render_template, send_file

from app.media import storage
from app.public import service
from app.reports.service import find_by_case_number

bp = Blueprint("public", __name__)


@bp.route("/")
def index():
    return render_template("public/index.html", bounds=service.city_bounds())


@bp.route("/meldungen/<case_number>")
def report(case_number: str):
    found = find_by_case_number(case_number)
    if found is None:
        abort(404)
    return render_template("public/report.html", report=found)


@bp.route("/fotos/<name>")
def photo(name: str):
    if service.public_photo(name) is None:
        abort(404)
    return send_file(storage.path_for(name), mimetype="image/jpeg", max_age=86400)


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
    return render_template("public/privacy.html")


@bp.route("/impressum")
def imprint():
    return render_template("public/imprint.html")


@bp.route("/barrierefreiheit")
def accessibility():
    return render_template("public/accessibility.html")
