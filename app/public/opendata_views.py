"""Feeds and exports: /feeds/meldungen.atom, /export/meldungen.geojson, /export/meldungen.csv."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, abort, current_app, request, stream_with_context, url_for

from app.extensions import limiter
from app.public import opendata
from app.public.filters import (
    CIRCLE_PARAMETERS,
    FilterError,
    ReportFilter,
    parse_circle,
    parse_filter,
)
from app.replica import reads_replica

bp = Blueprint("opendata", __name__)


def _filter() -> ReportFilter:
    """The shared filters and a circle (lat, lon, radius)."""
    try:
        flt = parse_filter(request.args)
        flt.circle = parse_circle(request.args)
    except FilterError as exc:
        abort(
            Response(f"Ungültiger Parameter „{exc.parameter}“: {exc}\n", 400, mimetype="text/plain")
        )
    if flt.circle:
        flt.args |= {k: request.args[k].strip() for k in CIRCLE_PARAMETERS}
    return flt


def _report_url() -> Callable[[str], str]:
    return lambda case: url_for("public.report", case_number=case, _external=True)


@bp.route("/feeds/meldungen.atom")
@reads_replica
def feed():
    flt = _filter()
    rows = opendata.recent_changes(flt)
    title = f"Mängelmelder {current_app.config['CITY_NAME']}: neue und geänderte Meldungen"
    rights = current_app.config["OPEN_DATA_LICENSE"]
    # A stable feed id: the same selection is the same feed, whatever the parameter order.
    feed_id = url_for("opendata.feed", _external=True, **dict(sorted(flt.args.items())))
    body = opendata.atom_feed(rows, title, feed_id, _report_url(), rights)
    return Response(body, mimetype="application/atom+xml")


def _download(chunks, mimetype: str, filename: str) -> Response:
    response = Response(stream_with_context(chunks), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _export_limit() -> str:
    return current_app.config["RATELIMIT_EXPORTS"]


# A download streams from an open database cursor: limit how many one client runs.
@bp.route("/export/meldungen.geojson")
@reads_replica
@limiter.limit(_export_limit)
def export_geojson():
    rows = opendata.stream_rows(_filter())
    chunks = opendata.geojson_chunks(rows, _report_url(), current_app.config["OPEN_DATA_LICENSE"])
    return _download(chunks, "application/geo+json", "meldungen.geojson")


@bp.route("/export/meldungen.csv")
@reads_replica
@limiter.limit(_export_limit)
def export_csv():
    rows = opendata.stream_rows(_filter())
    chunks = opendata.csv_chunks(rows, _report_url())
    # Werkzeug adds "; charset=utf-8" to every text/* mimetype itself.
    return _download(chunks, "text/csv", "meldungen.csv")
