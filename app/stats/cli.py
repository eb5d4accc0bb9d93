"""`flask stats refresh`: recompute the transparency figures now."""

from __future__ import annotations

import time

import click
from flask.cli import with_appcontext

from app.extensions import db
from app.stats.service import refresh

stats_cli = click.Group("stats", help="Statistiken der Transparenzseite.")


@stats_cli.command("refresh")
@with_appcontext
def refresh_command() -> None:
    """Compute the statistics snapshot."""
    started = time.monotonic()
    refresh()
    db.session.commit()
    click.echo(f"Statistik neu berechnet in {time.monotonic() - started:.1f} s.")
