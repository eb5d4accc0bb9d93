"""`flask addresses import FILE --format gebref|osm|csv` and `flask addresses count`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from app.addresses.formats import read_csv, read_gebref
from app.addresses.importing import ImportRefused, Row, RowError, store
from app.extensions import db
from app.models import Address, Street

addresses_cli = click.Group("addresses", help="Adressen für die Adresssuche.")
FORMATS = ("gebref", "osm", "csv")


def _rows(file: Path, fmt: str, keys: Path | None) -> Iterator[Row | RowError]:
    if fmt == "csv":
        return read_csv(file)
    if fmt == "gebref":
        return read_gebref(file, keys or _keys_beside(file))
    from app.addresses.osm import read_osm  # pyosmium is loaded for OSM files only

    return read_osm(file)


def _keys_beside(file: Path) -> Path | None:
    beside = file.with_name("gebref_schluessel.txt")
    return beside if beside.exists() else None


@addresses_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS), required=True)
@click.option(
    "--keys",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="gebref: die Schlüsselliste (Standard: gebref_schluessel.txt daneben).",
)
@click.option("--source", help="Name der Quelle (Standard: das Format); ersetzt deren Adressen.")
@click.option("--skip-bad", is_flag=True, help="Fehlerhafte Zeilen melden und überspringen.")
@with_appcontext
def import_command(
    file: Path, fmt: str, keys: Path | None, source: str | None, skip_bad: bool
) -> None:
    """Replace the addresses of one source; a file with bad rows changes nothing."""
    name = (source or fmt).strip()[:40]
    try:
        result = store(_rows(file, fmt, keys), name, skip_bad, progress=_progress)
        db.session.commit()
    except ImportRefused as refused:
        db.session.rollback()
        for message in refused.messages:
            click.echo(f"Fehler: {message}", err=True)
        click.echo("Nichts importiert.", err=True)
        raise click.exceptions.Exit(1) from None
    for message in result.skipped[:50]:
        click.echo(f"Übersprungen: {message}", err=True)
    click.echo(
        f"Quelle „{name}“: {result.read} gelesen, {result.kept} im Stadtgebiet oder im Gebiet "
        f"einer Stelle übernommen ({result.outside} außerhalb), {result.streets} Straßen."
    )


def _progress(read: int) -> None:
    click.echo(f"… {read} Zeilen gelesen", err=True)


@addresses_cli.command("count")
@with_appcontext
def count_command() -> None:
    """How many addresses and streets each source has."""
    rows = db.session.execute(
        select(Street.source, func.count(Street.id.distinct()), func.count(Address.id))
        .outerjoin(Address, Address.street_id == Street.id)
        .group_by(Street.source)
        .order_by(Street.source)
    )
    for source, streets, addresses in rows:
        click.echo(f"{source}\t{addresses} Adressen\t{streets} Straßen")
