"""`flask demo load` and `flask demo generate --count N`."""

from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import with_appcontext

from app.demo import service
from app.extensions import db
from app.stats.service import refresh as refresh_statistics

demo_cli = click.Group("demo", help="Demo-Stadt und Testdaten.")


@demo_cli.command("load")
@click.option("--if-empty", is_flag=True, help="Nur laden, wenn noch keine Bezirke existieren.")
@click.option(
    "--reports",
    type=click.IntRange(0, 100_000),
    default=0,
    help="Dazu so viele Demo-Meldungen über fünf Jahre, Status und Bezirke verteilt.",
)
@with_appcontext
def load_command(if_empty: bool, reports: int) -> None:
    """Load the demo city (Solingen): districts, departments, categories, routing rules, and
    with --reports N that many synthetic reports (routed like real ones)."""
    if if_empty and not service.city_is_empty():
        click.echo("Demo-Stadt: Daten vorhanden, nichts geladen.")
        return
    service.load_city()
    if reports:
        db.session.flush()
        click.echo(f"{service.generate_reports(reports)} Demo-Meldungen erzeugt.")
    refresh_statistics()  # the transparency page shows figures from the start
    db.session.commit()
    click.echo("Demo-Stadt Solingen geladen (Bezirksgrenzen angenähert).")


@demo_cli.command("generate")
@click.option("--count", type=click.IntRange(1, 5_000_000), required=True)
@with_appcontext
def generate_command(count: int) -> None:
    """Add COUNT synthetic reports spread over districts, categories, statuses and five years."""
    if service.city_is_empty():
        raise click.ClickException("Keine Bezirke vorhanden: zuerst `flask demo load`.")
    started = time.monotonic()
    added = service.generate_reports(count)
    refresh_statistics()
    db.session.commit()
    click.echo(f"{added} Meldungen erzeugt in {time.monotonic() - started:.1f} s.")


@demo_cli.command("accounts")
@with_appcontext
def accounts_command() -> None:
    """Create the demo staff accounts if missing and print their credentials (demo only)."""
    if service.city_is_empty():
        raise click.ClickException("Keine Demo-Stadt geladen: zuerst `flask demo load`.")
    accounts = service.ensure_demo_users(current_app.config["SECRET_KEY"])
    db.session.commit()
    click.echo("Demo-Zugänge (nur für die Demo!) – Anmeldung unter /anmelden:")
    for email, role, password in accounts:
        click.echo(f"  {role:<10} {email:<30} {password}")
