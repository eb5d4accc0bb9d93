"""`flask privacy purge`: run it daily (cron or a systemd timer)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from app.extensions import db
from app.privacy.service import purge

privacy_cli = click.Group("privacy", help="Datenschutz: Löschfristen.")


@privacy_cli.command("purge")
@with_appcontext
def purge_command() -> None:
    """Delete personal data whose retention time has passed."""
    days = current_app.config["RETENTION_DAYS"]
    counts = purge(days)
    db.session.commit()
    click.echo(
        f"Löschfrist {days} Tage: Kontaktdaten aus {counts['reports']} Meldungen entfernt, "
        f"{counts['subscriptions']} Benachrichtigungen beendet, "
        f"{counts['supports']} Adressen von Unterstützenden gelöscht, "
        f"{counts['unconfirmed'] + counts['unconfirmed_supports']} unbestätigte Anmeldungen und "
        f"{counts['unconfirmed_alerts']} unbestätigte Gebietsbenachrichtigungen, "
        f"{counts['rejected']} abgelehnte Meldungen und "
        f"{counts['mails']} versandte E-Mails gelöscht, {counts['originals']} ungeschwärzte "
        f"Originalfotos gelöscht, {counts['answers']} Antworten auf "
        f"Rückfragen und Kommentare zum Wiederöffnen entfernt; {counts['snapshots']} Kopien "
        "abgelehnter Meldungen vom Vortag oder früher entfernt."
    )
