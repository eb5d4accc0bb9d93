"""`flask media sweep`: `flask outbox work` runs it once a day (MEDIA_SWEEP_INTERVAL_HOURS); run
it by hand, or from a timer when the worker's sweep is switched off."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from app.media.sweep import DEFAULT_MIN_AGE_HOURS, WrongDatabase, summary, sweep

media_cli = click.Group("media", help="Fotodateien.")


@media_cli.command("sweep")
@click.option(
    "--min-age-hours",
    type=click.IntRange(min=1, max=24 * 3650),
    default=DEFAULT_MIN_AGE_HOURS,
    show_default=True,
    help="Nur Dateien, die älter sind: so bleibt jedes Foto, das gerade hochgeladen wird.",
)
@with_appcontext
def sweep_command(min_age_hours: int) -> None:
    """Delete photo files that no report names any more (left by a killed worker)."""
    try:
        files, size = sweep(min_age_hours * 3600)
    except WrongDatabase as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(summary(files, size, min_age_hours))
