"""`flask districts import FILE.geojson --name-field NAME --code-field CODE [--replace]`."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from app.districts.service import DistrictImportError, import_districts, parse_geojson
from app.extensions import db

districts_cli = click.Group("districts", help="Stadtbezirke verwalten.")


@districts_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--name-field", required=True, help="Eigenschaft mit dem Namen des Bezirks.")
@click.option("--code-field", required=True, help="Eigenschaft mit dem eindeutigen Schlüssel.")
@click.option("--replace", is_flag=True, help="Bezirke, die nicht in der Datei stehen, entfernen.")
@click.option("--repair", is_flag=True, help="Ungültige Geometrien reparieren statt ablehnen.")
@with_appcontext
def import_command(file: Path, name_field: str, code_field: str, replace: bool, repair: bool):
    """Import a GeoJSON polygon layer in EPSG:4326; a broken file changes nothing."""
    try:
        districts, repaired = parse_geojson(file.read_bytes(), name_field, code_field, repair)
        result = import_districts(districts, replace=replace)
        db.session.commit()
    except DistrictImportError as exc:
        db.session.rollback()
        for message in exc.messages:
            click.echo(f"Fehler: {message}", err=True)
        raise click.exceptions.Exit(1) from exc
    for name in repaired:
        click.echo(f"Repariert: {name}")
    click.echo(
        f"{result.created} Bezirke angelegt, {result.updated} aktualisiert, "
        f"{result.removed} entfernt."
    )
