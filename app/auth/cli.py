"""`flask users create --email E --password P --role ROLE [--department CODE ...]`."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from app.auth.service import AccountError, create_user
from app.extensions import db

users_cli = click.Group("users", help="Konten der Beschäftigten.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--password", required=True)
@click.option("--role", required=True, type=click.Choice(["admin", "dispatcher", "crew"]))
@click.option("--department", "departments", multiple=True, help="Abteilungs-Code (mehrfach).")
@click.option("--name", default="", help="Anzeigename.")
@with_appcontext
def create_command(
    email: str, password: str, role: str, departments: tuple[str, ...], name: str
) -> None:
    """Create a staff account."""
    try:
        user = create_user(email, password, role, list(departments), name)
        db.session.commit()
    except AccountError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Konto {user.email} ({user.role}) angelegt.")
