"""`flask open311 create-key NAME [--can-update]`, `list-keys` and `revoke-key ID`."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from app.extensions import db
from app.models import ApiKey
from app.open311.filing import KeyNameTaken, create_api_key

open311_cli = click.Group("open311", help="Open311-Schnittstelle: API-Schlüssel.")
RIGHTS = {False: "meldet", True: "meldet+aktualisiert"}


@open311_cli.command("create-key")
@click.argument("name")
@click.option(
    "--can-update",
    is_flag=True,
    help="Der Schlüssel darf auch Updates zu den Meldungen senden, die er eingereicht hat.",
)
@with_appcontext
def create_key_command(name: str, can_update: bool) -> None:
    """Create an API key for NAME and print it once; only its hash is stored."""
    name = name.strip()
    if not 1 <= len(name) <= 200:
        raise click.BadParameter("1 bis 200 Zeichen.", param_hint="NAME")
    try:
        api_key, key = create_api_key(name, can_update)
    except KeyNameTaken as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"API-Schlüssel {api_key.id} für {name} (wird nur jetzt angezeigt):")
    click.echo(key)


@open311_cli.command("list-keys")
@with_appcontext
def list_keys_command() -> None:
    """List the API keys (never the keys themselves, which are not stored)."""
    for api_key in db.session.scalars(select(ApiKey).order_by(ApiKey.id)):
        state = "aktiv" if api_key.active else "gesperrt"
        rights = RIGHTS[api_key.can_update]
        created = f"{api_key.created_at:%Y-%m-%d}"
        click.echo(f"{api_key.id}\t{state}\t{created}\t{rights}\t{api_key.name}")


@open311_cli.command("revoke-key")
@click.argument("key_id", type=int)
@with_appcontext
def revoke_key_command(key_id: int) -> None:
    """Block the API key with this id; reports filed with it stay."""
    api_key = db.session.get(ApiKey, key_id)
    if api_key is None:
        raise click.ClickException(f"Kein API-Schlüssel mit der Nummer {key_id}.")
    api_key.active = False
    db.session.commit()
    click.echo(f"API-Schlüssel {key_id} ({api_key.name}) gesperrt.")


@open311_cli.command("allow-updates")
@click.argument("key_id", type=int)
@click.option("--revoke", is_flag=True, help="Das Recht wieder entziehen.")
@with_appcontext
def allow_updates_command(key_id: int, revoke: bool) -> None:
    """Let an existing key send updates to the reports it filed (or take that back), so a
    partner already filing reports can start sending status without a new key."""
    api_key = db.session.get(ApiKey, key_id)
    if api_key is None or not api_key.active:
        raise click.ClickException(f"Kein aktiver API-Schlüssel mit der Nummer {key_id}.")
    api_key.can_update = not revoke
    db.session.commit()
    click.echo(f"API-Schlüssel {key_id} ({api_key.name}): {RIGHTS[api_key.can_update]}.")
