"""What Alembic compares: the project's own tables, not those of PostGIS."""

from __future__ import annotations

from geoalchemy2 import alembic_helpers

# Tables that belong to PostGIS extensions (or to Alembic itself), never to this project.
FOREIGN_TABLES = {"spatial_ref_sys", "topology", "layer", "alembic_version"}


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    if type_ == "table" and name in FOREIGN_TABLES:
        return False
    return alembic_helpers.include_object(obj, name, type_, reflected, compare_to)
