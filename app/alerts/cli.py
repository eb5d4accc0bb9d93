"""`flask alerts digest`: the daily digest of the area alerts (the worker runs it, too)."""

from __future__ import annotations

from datetime import UTC, datetime

import click
from flask.cli import with_appcontext

from app.alerts.digest import send_digests

alerts_cli = click.Group("alerts", help="Benachrichtigungen für Gebiete.")


@alerts_cli.command("digest")
@with_appcontext
def digest_command() -> None:
    """Write today's digests to the outbox; a second run the same day writes none."""
    counts = send_digests(datetime.now(UTC))
    click.echo(
        f"{counts['mails']} Übersichten mit {counts['reports']} Meldungen geschrieben "
        f"({counts['alerts']} fällige Bestellungen)."
    )
