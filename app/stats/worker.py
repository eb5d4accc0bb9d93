"""The statistics step of the worker loop: the transparency page never computes figures itself."""

from __future__ import annotations

import logging

from flask import current_app

from app.extensions import db
from app.stats.service import refresh_if_stale

log = logging.getLogger(__name__)


def refresh_when_stale() -> None:
    """Recompute a missing or stale snapshot and commit. A failure is logged and rolled back:
    the page keeps showing the last snapshot, and the next round tries again."""
    try:
        snapshot = refresh_if_stale(current_app.config["STATS_MAX_AGE"])
        db.session.commit()
    except Exception:  # the database went away, …: the mail loop must go on
        db.session.rollback()
        log.exception("Statistik: Neuberechnung fehlgeschlagen")
        return
    if snapshot is not None:
        log.info("Statistik neu berechnet (Stand %s).", snapshot.computed_at)
