"""The transparency page: what the city did with the reports."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, render_template, request

from app.stats.service import PERIODS, current_snapshot

bp = Blueprint("stats", __name__)

PERIOD_LABELS = {"30": "Letzte 30 Tage", "365": "Letzte 365 Tage", "alle": "Gesamt"}


@bp.route("/transparenz")
def transparency():
    period = request.args.get("zeitraum", "365")
    if period not in PERIODS:
        period = "365"
    snapshot = current_snapshot()
    return render_template(
        "stats/transparency.html",
        figures=snapshot.figures["periods"][period],
        computed_at=datetime.fromisoformat(snapshot.figures["computed_at"]),
        period=period,
        period_labels=PERIOD_LABELS,
    )
