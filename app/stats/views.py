"""The transparency page: what the city did with the reports."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, render_template, request

from app.replica import reads_replica
from app.stats.service import PERIODS, latest

bp = Blueprint("stats", __name__)

PERIOD_LABELS = {"30": "Letzte 30 Tage", "365": "Letzte 365 Tage", "alle": "Gesamt"}


@bp.route("/transparenz")
@reads_replica
def transparency():
    period = request.args.get("zeitraum", "365")
    if period not in PERIODS:
        period = "365"
    # Only read: the worker computes the snapshot (app/stats/worker.py), never a page view.
    snapshot = latest()
    return render_template(
        "stats/transparency.html",
        figures=snapshot.figures["periods"][period] if snapshot else None,
        computed_at=datetime.fromisoformat(snapshot.figures["computed_at"]) if snapshot else None,
        period=period,
        period_labels=PERIOD_LABELS,
    )
