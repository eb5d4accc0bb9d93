"""SQL that keeps map_cells in step with reports.

The trigger handles single reports (web form, API, staff changes); bulk loads switch it off and
add their rows set-based with ADD_RANGE instead, which is many times faster.
"""

from __future__ import annotations

from sqlalchemy import text

from app.extensions import db
from app.models.map_cell import COARSEST_LEVEL, FINEST_LEVEL

MONTH = "date_trunc('month', {created} AT TIME ZONE 'Europe/Berlin')::date"
LEVELS = f"generate_series({FINEST_LEVEL}, {COARSEST_LEVEL})"

TRIGGER_FUNCTION = f"""
CREATE OR REPLACE FUNCTION map_cells_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE map_cells AS m
        SET n = m.n - 1,
            sum_lon = m.sum_lon - ST_X(OLD.location),
            sum_lat = m.sum_lat - ST_Y(OLD.location)
        FROM {LEVELS} AS lvl
        WHERE m.level = lvl AND m.cx = OLD.px >> lvl AND m.cy = OLD.py >> lvl
          AND m.month = {MONTH.format(created="OLD.created_at")}
          AND m.category_id = OLD.category_id AND m.district_id = OLD.district_id
          AND m.status = OLD.status;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO map_cells AS m
            (level, cx, cy, month, category_id, district_id, status, n, sum_lon, sum_lat)
        SELECT lvl, NEW.px >> lvl, NEW.py >> lvl, {MONTH.format(created="NEW.created_at")},
               NEW.category_id, NEW.district_id, NEW.status, 1,
               ST_X(NEW.location), ST_Y(NEW.location)
        FROM {LEVELS} AS lvl
        ON CONFLICT (level, cx, cy, month, category_id, district_id, status) DO UPDATE
        SET n = m.n + 1, sum_lon = m.sum_lon + excluded.sum_lon,
            sum_lat = m.sum_lat + excluded.sum_lat;
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

# The finest level comes from the reports, every coarser one from the level below it.
ADD_RANGE_FINEST = f"""
INSERT INTO map_cells AS m
    (level, cx, cy, month, category_id, district_id, status, n, sum_lon, sum_lat)
SELECT {FINEST_LEVEL}, px >> {FINEST_LEVEL}, py >> {FINEST_LEVEL},
       {MONTH.format(created="created_at")}, category_id, district_id, status,
       count(*), sum(ST_X(location)), sum(ST_Y(location))
FROM reports WHERE id BETWEEN :first AND :last
GROUP BY 2, 3, 4, 5, 6, 7
ON CONFLICT (level, cx, cy, month, category_id, district_id, status) DO UPDATE
SET n = m.n + excluded.n, sum_lon = m.sum_lon + excluded.sum_lon,
    sum_lat = m.sum_lat + excluded.sum_lat
"""

REBUILD_COARSER = """
INSERT INTO map_cells (level, cx, cy, month, category_id, district_id, status, n, sum_lon, sum_lat)
SELECT :level, cx >> 1, cy >> 1, month, category_id, district_id, status,
       sum(n), sum(sum_lon), sum(sum_lat)
FROM map_cells WHERE level = :level - 1
GROUP BY 2, 3, 4, 5, 6, 7
"""


def add_reports(first_id: int, last_id: int) -> None:
    """Count reports first_id..last_id, inserted with the trigger off, into map_cells."""
    db.session.execute(text(ADD_RANGE_FINEST), {"first": first_id, "last": last_id})
    # Coarser levels are small: rebuilding them from the finest level is cheaper than merging.
    db.session.execute(
        text("DELETE FROM map_cells WHERE level > :finest"), {"finest": FINEST_LEVEL}
    )
    for level in range(FINEST_LEVEL + 1, COARSEST_LEVEL + 1):
        db.session.execute(text(REBUILD_COARSER), {"level": level})
