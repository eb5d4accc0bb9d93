"""SQL that keeps the two map rollups in step with reports.

map_cells counts reports per cell, category, district and status (the map without a period);
map_months counts them per cell and month (the map for a period). Months multiply rows, so the
two are kept apart. A trigger handles single reports; bulk loads switch it off and add their
rows set-based (add_reports), which is many times faster.
"""

from __future__ import annotations

from sqlalchemy import text

from app.extensions import db
from app.models.map_cell import COARSEST_LEVEL, FINEST_LEVEL

MONTH = "date_trunc('month', {r}.created_at AT TIME ZONE 'Europe/Berlin')::date"
LEVELS = f"generate_series({FINEST_LEVEL}, {COARSEST_LEVEL})"
ROLLUPS = {
    # table: (key columns, key values from a report row {r})
    "map_cells": (
        "category_id, district_id, status",
        "{r}.category_id, {r}.district_id, {r}.status",
    ),
    "map_months": ("month", MONTH),
}


def _change(table: str, row: str, sign: str) -> str:
    keys, values = ROLLUPS[table]
    values = values.format(r=row)
    conflict = f"level, cx, cy, {keys}"
    return f"""
        INSERT INTO {table} AS m (level, cx, cy, {keys}, n, sum_lon, sum_lat)
        SELECT lvl, {row}.px >> lvl, {row}.py >> lvl, {values},
               {sign}1, {sign}ST_X({row}.location), {sign}ST_Y({row}.location)
        FROM {LEVELS} AS lvl
        ON CONFLICT ({conflict}) DO UPDATE
        SET n = m.n + excluded.n, sum_lon = m.sum_lon + excluded.sum_lon,
            sum_lat = m.sum_lat + excluded.sum_lat;"""


TRIGGER_FUNCTION = f"""
CREATE OR REPLACE FUNCTION map_cells_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        {_change("map_cells", "OLD", "-")}
        {_change("map_months", "OLD", "-")}
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        {_change("map_cells", "NEW", "")}
        {_change("map_months", "NEW", "")}
    END IF;
    RETURN NULL;
END
$$;
"""

CREATE_TRIGGER = """
CREATE TRIGGER reports_map_cells
AFTER INSERT OR DELETE OR UPDATE OF location, status, category_id, district_id, created_at
ON reports FOR EACH ROW EXECUTE FUNCTION map_cells_apply();
"""


def _add_finest(table: str) -> str:
    """Count a range of reports into the finest level of a rollup."""
    keys, values = ROLLUPS[table]
    level = FINEST_LEVEL
    return f"""
        INSERT INTO {table} AS m (level, cx, cy, {keys}, n, sum_lon, sum_lat)
        SELECT {level}, r.px >> {level}, r.py >> {level}, {values.format(r="r")},
               count(*), sum(ST_X(r.location)), sum(ST_Y(r.location))
        FROM reports AS r WHERE r.id BETWEEN :first AND :last
        GROUP BY 2, 3, {", ".join(str(i + 4) for i in range(len(keys.split(","))))}
        ON CONFLICT (level, cx, cy, {keys}) DO UPDATE
        SET n = m.n + excluded.n, sum_lon = m.sum_lon + excluded.sum_lon,
            sum_lat = m.sum_lat + excluded.sum_lat"""


def _rebuild_coarser(table: str) -> str:
    """A level from the level below it: coarser levels are small, rebuilding beats merging."""
    keys, _ = ROLLUPS[table]
    return f"""
        INSERT INTO {table} (level, cx, cy, {keys}, n, sum_lon, sum_lat)
        SELECT :level, cx >> 1, cy >> 1, {keys}, sum(n), sum(sum_lon), sum(sum_lat)
        FROM {table} WHERE level = :level - 1
        GROUP BY cx >> 1, cy >> 1, {keys}"""


def add_reports(first_id: int, last_id: int) -> None:
    """Count reports first_id..last_id, inserted with the trigger off, into both rollups."""
    for table in ROLLUPS:
        db.session.execute(text(_add_finest(table)), {"first": first_id, "last": last_id})
        db.session.execute(
            text(f"DELETE FROM {table} WHERE level > :finest"), {"finest": FINEST_LEVEL}
        )
        for level in range(FINEST_LEVEL + 1, COARSEST_LEVEL + 1):
            db.session.execute(text(_rebuild_coarser(table)), {"level": level})
        # Rows of neighbouring cells side by side on disk: a viewport reads a few pages.
        db.session.execute(text(f"CLUSTER {table} USING pk_{table}"))
        db.session.execute(text(f"ANALYZE {table}"))


# For the migration that creates the rollups from existing reports.
ADD_FINEST = {table: _add_finest(table) for table in ROLLUPS}
REBUILD_COARSER = {table: _rebuild_coarser(table) for table in ROLLUPS}
