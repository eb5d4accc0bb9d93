"""`flask bodies add|list|remove` (other bodies) and `flask exchange work|forward|sync`."""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Callable
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from app.exchange.bodies import BodyRefused, BodySpec, add_body, all_bodies, remove_body
from app.exchange.sync import summary, sync_all
from app.exchange.worker import forward_due
from app.extensions import db

log = logging.getLogger(__name__)
bodies_cli = click.Group("bodies", help="Andere zuständige Stellen (Kommunen, Behörden).")
exchange_cli = click.Group("exchange", help="Austausch: Meldungen weiterleiten, Updates lesen.")
# Larger area files are refused before they are read: a Kommune's outline is a few MB at most.
MAX_AREA_BYTES = 50 * 1024 * 1024


@bodies_cli.command("add")
@click.argument("name")
@click.option("--open311-url", help="Open311-Adresse der Stelle, z. B. https://…/open311/v2")
@click.option("--api-key", help="Der API-Schlüssel, den die Stelle uns gegeben hat.")
@click.option("--jurisdiction", help="jurisdiction_id der Stelle (falls sie eine verlangt).")
@click.option("--email", help="Kontaktadresse; ohne Open311 geht die Meldung als E-Mail hierhin.")
@click.option("--area", type=click.Path(dir_okay=False, path_type=Path), help="Gebiet (GeoJSON)")
@click.option("--category", "categories", multiple=True, help="Kategorie-Code (mehrfach möglich)")
@click.option(
    "--service-code",
    "service_codes",
    multiple=True,
    metavar="UNSER=IHR",
    help="Unsere Kategorie → ihr service_code, wo ihre Dienstliste sie nicht gleich benennt.",
)
@click.option(
    "--partner-key", help="Name unseres Open311-Schlüssels, mit dem die Stelle Updates sendet."
)
@with_appcontext
def add_command(
    name: str,
    open311_url: str | None,
    api_key: str | None,
    jurisdiction: str | None,
    email: str | None,
    area: Path | None,
    categories: tuple[str, ...],
    service_codes: tuple[str, ...],
    partner_key: str | None,
) -> None:
    """Add the body NAME; an Open311 body's services list is read once and its key tried."""
    spec = BodySpec(
        name=name,
        email=email,
        open311_url=open311_url,
        api_key=api_key,
        jurisdiction=jurisdiction,
        area_geojson=_read_area(area),
        categories=categories,
        service_codes=_pairs(service_codes),
        partner_key=partner_key,
    )
    try:
        body = add_body(spec)
    except BodyRefused as refused:
        raise click.ClickException(_lines(refused)) from None
    db.session.commit()
    mapped = f", {len(body.service_codes)} Kategorien zugeordnet" if body.open311_url else ""
    click.echo(f"Stelle „{body.name}“ angelegt ({_transport(body.transport)}{mapped}).")


def _read_area(path: Path | None) -> bytes | None:
    if path is None:
        return None
    try:
        if path.stat().st_size > MAX_AREA_BYTES:
            raise click.ClickException(f"{path}: größer als 50 MB.")
        return path.read_bytes()
    except OSError as exc:
        raise click.ClickException(f"{path}: {exc.strerror}") from None


def _pairs(values: tuple[str, ...]) -> dict[str, str]:
    pairs = {}
    for value in values:
        ours, sep, theirs = value.partition("=")
        if not sep or not ours.strip() or not theirs.strip():
            raise click.BadParameter(f"{value!r}: bitte UNSER=IHR.", param_hint="--service-code")
        pairs[ours.strip()] = theirs.strip()
    return pairs


def _lines(refused: BodyRefused) -> str:
    options = {"name": "NAME", "area": "--area", "categories": "--category"}
    return "\n".join(
        f"{options.get(field, '--' + field.replace('_', '-'))}: {message}"
        for field, message in refused.errors.items()
    )


def _transport(name: str) -> str:
    return {"open311": "Open311", "email": "E-Mail"}[name]


@bodies_cli.command("list")
@with_appcontext
def list_command() -> None:
    """List the bodies (never the API keys they gave us)."""
    for body in all_bodies():
        where = body.open311_url if body.open311_url else body.email
        area = "mit Gebiet" if body.area is not None else "ohne Gebiet"
        codes = ",".join(c.code for c in body.categories) or "alle Kategorien"
        click.echo(f"{body.name}\t{_transport(body.transport)}\t{where}\t{area}\t{codes}")


@bodies_cli.command("remove")
@click.argument("name")
@with_appcontext
def remove_command(name: str) -> None:
    """Remove the body NAME; forwarded reports keep their history."""
    try:
        remove_body(name)
    except BodyRefused as refused:
        raise click.ClickException(_lines(refused)) from None
    db.session.commit()
    click.echo(f"Stelle „{name}“ entfernt.")


@exchange_cli.command("forward")
@with_appcontext
def forward_command() -> None:
    """Send every due forwarding once and say how it went."""
    _need_public_url()
    counts = forward_due(limit=10_000)
    click.echo(
        f"{counts['done']} weitergeleitet, {counts['retry']} warten auf einen neuen Versuch, "
        f"{counts['failed']} fehlgeschlagen."
    )


@exchange_cli.command("sync")
@with_appcontext
def sync_command() -> None:
    """Read the updates of every Open311 body to the reports we forwarded to it."""
    _need_public_url()
    for line in summary(sync_all()):
        click.echo(line)


@exchange_cli.command("work")
@with_appcontext
def work_command() -> None:
    """Forward due reports until stopped (SIGTERM or Ctrl-C end it after the current job);
    read the bodies' updates every EXCHANGE_SYNC_SECONDS."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    _need_public_url()
    stopping: list[bool] = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    config = current_app.config
    click.echo(f"Austausch: prüfe alle {config['EXCHANGE_POLL_SECONDS']} s auf Weiterleitungen.")
    synced = 0.0
    try:
        while not stopping:
            busy = _step(forward_due)
            if time.monotonic() - synced >= config["EXCHANGE_SYNC_SECONDS"]:
                _step(sync_all)
                synced = time.monotonic()
            db.session.remove()
            if not busy:
                time.sleep(config["EXCHANGE_POLL_SECONDS"])
    except KeyboardInterrupt:
        pass


def _step(work: Callable[[], object]) -> bool:
    try:
        return bool(work())
    except Exception:  # the database went away, …: log it, wait, and carry on
        log.exception("Austausch: Fehler")
        db.session.rollback()
        return False


def _need_public_url() -> None:
    """Links in forwarded reports and mails need our address outside any request: the worker
    builds them in a request context for PUBLIC_URL."""
    base = current_app.config["PUBLIC_URL"]
    if not (base or current_app.config["SERVER_NAME"]):
        raise click.ClickException(
            "PUBLIC_URL ist nicht gesetzt: Weitergeleitete Meldungen und Mails brauchen die "
            "öffentliche Adresse des Mängelmelders (z. B. https://maengel.example.de)."
        )
    current_app.test_request_context(base_url=base or None).push()
