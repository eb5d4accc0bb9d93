"""`flask outbox send` (once, until nothing is due) and `flask outbox work` (the worker, which
also sweeps orphan photo files once a day and writes the area alerts' daily digests)."""

from __future__ import annotations

import logging
import signal
import time
from collections import Counter

import click
from flask import current_app
from flask.cli import with_appcontext

from app.alerts.digest import DigestSchedule
from app.extensions import db
from app.media.sweep import Schedule
from app.notifications.outbox import send_due
from app.redaction.service import search_waiting
from app.stats.worker import refresh_when_stale

log = logging.getLogger(__name__)
outbox_cli = click.Group("outbox", help="E-Mail-Ausgang: fällige Mails versenden.")


@outbox_cli.command("send")
@with_appcontext
def send_command() -> None:
    """Send every due mail once and say how it went."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    counts = send_due(limit=10_000)
    click.echo(
        f"{counts['sent']} gesendet, {counts['pending']} warten auf einen neuen Versuch, "
        f"{counts['failed']} endgültig fehlgeschlagen."
    )


@outbox_cli.command("work")
@with_appcontext
def work_command() -> None:
    """Send due mails until stopped (SIGTERM or Ctrl-C end it after the current mail); sweep
    orphan photo files at start-up and every MEDIA_SWEEP_INTERVAL_HOURS; write the daily
    digests of area alerts once ALERT_DIGEST_HOUR has passed; search photos stored without a
    search for faces and plates."""
    # Development mail (no MAIL_SERVER) is written to this log.
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    poll = current_app.config["OUTBOX_POLL_SECONDS"]
    click.echo(f"E-Mail-Ausgang: prüfe alle {poll} s auf fällige Mails.")
    if not current_app.config["MAIL_SERVER"]:
        log.warning("MAIL_SERVER ist nicht gesetzt: E-Mails werden nur ins Protokoll geschrieben.")
    sweeping = Schedule.from_config()
    digests = DigestSchedule()
    try:
        while not stopping:
            if sweeping is not None:
                sweeping.run_if_due()
            digests.run_if_due()
            try:
                counts = send_due()
            except Exception:  # the database went away, …: log it, wait, and carry on
                log.exception("E-Mail-Ausgang: Fehler beim Versenden")
                db.session.rollback()
                counts = Counter()
            refresh_when_stale()  # the worker keeps the transparency figures fresh, too
            search_photos()
            db.session.remove()
            if counts:
                click.echo(", ".join(f"{k}: {v}" for k, v in sorted(counts.items())))
            if not counts["sent"]:
                time.sleep(poll)
    except KeyboardInterrupt:
        pass


def search_photos() -> None:
    """Photos stored without a search for faces and plates (PHOTO_DETECTION=job, or the
    detector failed during the upload); they stay unpublished until searched."""
    try:
        search_waiting()
    except Exception:  # like the mails: log, and try again on the next round
        log.exception("Fotos: Suche nach Gesichtern und Kennzeichen fehlgeschlagen")
        db.session.rollback()
