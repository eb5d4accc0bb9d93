"""SQL that keeps the two map rollups in step with reports.

map_cells counts reports per cell, category, district and status (the map without a period);
map_months counts them per cell and month (the map for a period); map_month_statuses per cell,
month and status (a period together with a status: "open in the last year"), on the coarse
levels only, where a viewport holds too many reports to count them one by one. Months multiply
rows, so the three are kept apart. A trigger handles single reports; bulk loads switch it off and
add their rows set-based (add_reports), which is many times faster.
"""

from __future__ import annotations

from sqlalchemy import text

from app.extensions import db
from app.models.map_cell import COARSEST_LEVEL, FINEST_LEVEL, MONTH_STATUS_FINEST_LEVEL

MONTH = "date_trunc('month', {r}.created_at AT TIME ZONE 'Europe/Berlin')::date"
ROLLUPS = {
    # table: (key columns, key values from a report row {r}, finest level kept)
    "map_cells": (
        "category_id, district_id, status",
        "{r}.category_id, {r}.district_id, {r}.status",
        FINEST_LEVEL,
    ),
    "map_months": ("month", MONTH + " AS month", FINEST_LEVEL),
    "map_month_statuses": (
        "month, status",
        MONTH + " AS month, {r}.status",
        MONTH_STATUS_FINEST_LEVEL,
    ),
}


def _change(table: str, row: str, sign: str) -> str:
    keys, values, finest = ROLLUPS[table]
    values = values.format(r=row)
    conflict = f"level, cx, cy, {keys}"
    return f"""
        INSERT INTO {table} AS m (level, cx, cy, {keys}, n, sum_lon, sum_lat)
        SELECT lvl, {row}.px >> lvl, {row}.py >> lvl, {values},
               {sign}1, {sign}ST_X({row}.location), {sign}ST_Y({row}.location)
        FROM generate_series({finest}, {COARSEST_LEVEL}) AS lvl
        ON CONFLICT ({conflict}) DO UPDATE
        SET n = m.n + excluded.n, sum_lon = m.sum_lon + excluded.sum_lon,
            sum_lat = m.sum_lat + excluded.sum_lat;"""


TRIGGER_FUNCTION = f"""
CREATE OR REPLACE FUNCTION map_cells_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- A bulk load counts its rows set-based afterwards (app/map/cells.py, add_reports).
    IF current_setting('maengelmelder.bulk_load', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        {_change("map_cells", "OLD", "-")}
        {_change("map_months", "OLD", "-")}
        {_change("map_month_statuses", "OLD", "-")}
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        {_change("map_cells", "NEW", "")}
        {_change("map_months", "NEW", "")}
        {_change("map_month_statuses", "NEW", "")}
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


def _bulk_finest(table: str) -> str:
    """The reports in bulk_reports, counted at the table's finest level into a scratch table."""
    keys, values, level = ROLLUPS[table]
    return f"""
        CREATE TEMP TABLE bulk_cells ON COMMIT DROP AS
        SELECT {level}::smallint AS level, r.px >> {level} AS cx, r.py >> {level} AS cy,
               {values.format(r="r")}, count(*)::int AS n,
               sum(ST_X(r.location)) AS sum_lon, sum(ST_Y(r.location)) AS sum_lat
        FROM bulk_reports AS r
        GROUP BY 2, 3, {", ".join(str(i + 4) for i in range(len(keys.split(","))))}"""


def _bulk_coarser(table: str) -> str:
    keys = ROLLUPS[table][0]
    return f"""
        INSERT INTO bulk_cells
        SELECT :level, cx >> 1, cy >> 1, {keys}, sum(n), sum(sum_lon), sum(sum_lat)
        FROM bulk_cells WHERE level = :level - 1
        GROUP BY cx >> 1, cy >> 1, {keys}"""


def _bulk_merge(table: str, empty: bool) -> str:
    """In key order, so the rows are written where the index wants them; into an empty table
    without the conflict check, which costs as much as the insert."""
    keys = ROLLUPS[table][0]
    insert = f"""
        INSERT INTO {table} AS m (level, cx, cy, {keys}, n, sum_lon, sum_lat)
        SELECT level, cx, cy, {keys}, n, sum_lon, sum_lat FROM bulk_cells
        ORDER BY level, cx, cy, {keys}"""
    if empty:
        return insert
    return f"""{insert}
        ON CONFLICT (level, cx, cy, {keys}) DO UPDATE
        SET n = m.n + excluded.n, sum_lon = m.sum_lon + excluded.sum_lon,
            sum_lat = m.sum_lat + excluded.sum_lat"""


def add_reports(locked: bool = False) -> None:
    """Count the reports in the temporary table bulk_reports (their id, location, px, py,
    category_id, district_id, status and created_at), inserted during a bulk load, into
    both rollups. The counts are built apart (coarser levels from finer ones, which is fast)
    and then added, which commutes with the trigger's changes for reports filed meanwhile.
    `locked`: the caller holds an exclusive lock on reports, so no trigger changes the
    rollups meanwhile, and an empty rollup can be filled in order instead of merged into."""
    for table, (_, _, finest) in ROLLUPS.items():
        db.session.execute(text(_bulk_finest(table)))
        for level in range(finest + 1, COARSEST_LEVEL + 1):
            db.session.execute(text(_bulk_coarser(table)), {"level": level})
        empty = locked and not db.session.scalar(text(f"SELECT EXISTS (SELECT FROM {table})"))
        db.session.execute(text(_bulk_merge(table, empty)))
        db.session.execute(text("DROP TABLE bulk_cells"))
        if not empty:
            # Rows of neighbouring cells side by side on disk: a viewport reads a few pages.
            db.session.execute(text(f"CLUSTER {table} USING pk_{table}"))
        db.session.execute(text(f"ANALYZE {table}"))
