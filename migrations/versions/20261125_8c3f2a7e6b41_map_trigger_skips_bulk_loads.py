"""Map trigger skips bulk loads, which count their reports set-based

Revision ID: 8c3f2a7e6b41
Revises: 5b7e4c1d9a20
Create Date: 2026-11-25 10:00:00

"""

from alembic import op

revision = "8c3f2a7e6b41"
down_revision = "5b7e4c1d9a20"
branch_labels = None
depends_on = None

# Frozen as written for this revision (see app/map/cells.py).
TRIGGER_FUNCTION = """
CREATE OR REPLACE FUNCTION map_cells_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- A bulk load counts its rows set-based afterwards (app/map/cells.py, add_reports).
    IF current_setting('maengelmelder.bulk_load', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        
        INSERT INTO map_cells AS m (level, cx, cy, category_id, district_id, status, n, sum_lon, sum_lat)
        SELECT lvl, OLD.px >> lvl, OLD.py >> lvl, OLD.category_id, OLD.district_id, OLD.status,
               -1, -ST_X(OLD.location), -ST_Y(OLD.location)
        FROM generate_series(9, 17) AS lvl
        ON CONFLICT (level, cx, cy, category_id, district_id, status) DO UPDATE
        SET n = m.n + excluded.n, sum_lon = m.sum_lon + excluded.sum_lon,
            sum_lat = m.sum_lat + excluded.sum_lat;
        
        INSERT INTO map_months AS m (level, cx, cy, month, n, sum_lon, sum_lat)
        SELECT lvl, OLD.px >> lvl, OLD.py >> lvl, date_trunc('month', OLD.created_at AT TIME ZONE 'Europe/Berlin')::date,
               -1, -ST_X(OLD.location), -ST_Y(OLD.location)
        FROM generate_series(9, 17) AS lvl
        ON CONFLICT (level, cx, cy, month) DO UPDATE
        SET n = m.n + excluded.n, sum_lon = m.sum_lon + excluded.sum_lon,
            sum_lat = m.sum_lat + excluded.sum_lat;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        
        INSERT INTO map_cells AS m (level, cx, cy, category_id, district_id, status, n, sum_lon, sum_lat)
        SELECT lvl, NEW.px >> lvl, NEW.py >> lvl, NEW.category_id, NEW.district_id, NEW.status,
               1, ST_X(NEW.location), ST_Y(NEW.location)
        FROM generate_series(9, 17) AS lvl
        ON CONFLICT (level, cx, cy, category_id, district_id, status) DO UPDATE
        SET n = m.n + excluded.n, sum_lon = m.sum_lon + excluded.sum_lon,
            sum_lat = m.sum_lat + excluded.sum_lat;
        
        INSERT INTO map_months AS m (level, cx, cy, month, n, sum_lon, sum_lat)
        SELECT lvl, NEW.px >> lvl, NEW.py >> lvl, date_trunc('month', NEW.created_at AT TIME ZONE 'Europe/Berlin')::date,
               1, ST_X(NEW.location), ST_Y(NEW.location)
        FROM generate_series(9, 17) AS lvl
        ON CONFLICT (level, cx, cy, month) DO UPDATE
        SET n = m.n + excluded.n, sum_lon = m.sum_lon + excluded.sum_lon,
            sum_lat = m.sum_lat + excluded.sum_lat;
    END IF;
    RETURN NULL;
END
$$;
"""


def upgrade():
    op.execute(TRIGGER_FUNCTION)


def downgrade():
    # The previous body, without the bulk-load check.
    op.execute(
        TRIGGER_FUNCTION.replace(
            "    IF current_setting('maengelmelder.bulk_load', true) = 'on' THEN\n"
            "        RETURN NULL;\n    END IF;\n",
            "",
        )
    )
