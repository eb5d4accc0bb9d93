"""Map rollup per cell, month and status: a period together with a status from rollups

Revision ID: a1b2c3d4e5f6
Revises: f9c0d1e2a3b4
Create Date: 2026-12-03 03:00:00

"""

import re

import sqlalchemy as sa
from alembic import op

revision = "a1b2c3d4e5f6"
down_revision = "f9c0d1e2a3b4"
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
        SELECT lvl, OLD.px >> lvl, OLD.py >> lvl, date_trunc('month', OLD.created_at AT TIME ZONE 'Europe/Berlin')::date AS month,
               -1, -ST_X(OLD.location), -ST_Y(OLD.location)
        FROM generate_series(9, 17) AS lvl
        ON CONFLICT (level, cx, cy, month) DO UPDATE
        SET n = m.n + excluded.n, sum_lon = m.sum_lon + excluded.sum_lon,
            sum_lat = m.sum_lat + excluded.sum_lat;
        
        INSERT INTO map_month_statuses AS m (level, cx, cy, month, status, n, sum_lon, sum_lat)
        SELECT lvl, OLD.px >> lvl, OLD.py >> lvl, date_trunc('month', OLD.created_at AT TIME ZONE 'Europe/Berlin')::date AS month, OLD.status,
               -1, -ST_X(OLD.location), -ST_Y(OLD.location)
        FROM generate_series(12, 17) AS lvl
        ON CONFLICT (level, cx, cy, month, status) DO UPDATE
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
        SELECT lvl, NEW.px >> lvl, NEW.py >> lvl, date_trunc('month', NEW.created_at AT TIME ZONE 'Europe/Berlin')::date AS month,
               1, ST_X(NEW.location), ST_Y(NEW.location)
        FROM generate_series(9, 17) AS lvl
        ON CONFLICT (level, cx, cy, month) DO UPDATE
        SET n = m.n + excluded.n, sum_lon = m.sum_lon + excluded.sum_lon,
            sum_lat = m.sum_lat + excluded.sum_lat;
        
        INSERT INTO map_month_statuses AS m (level, cx, cy, month, status, n, sum_lon, sum_lat)
        SELECT lvl, NEW.px >> lvl, NEW.py >> lvl, date_trunc('month', NEW.created_at AT TIME ZONE 'Europe/Berlin')::date AS month, NEW.status,
               1, ST_X(NEW.location), ST_Y(NEW.location)
        FROM generate_series(12, 17) AS lvl
        ON CONFLICT (level, cx, cy, month, status) DO UPDATE
        SET n = m.n + excluded.n, sum_lon = m.sum_lon + excluded.sum_lon,
            sum_lat = m.sum_lat + excluded.sum_lat;
    END IF;
    RETURN NULL;
END
$$;
"""

FINEST = 12
COARSEST = 17
ADD_FINEST = """
INSERT INTO map_month_statuses (level, cx, cy, month, status, n, sum_lon, sum_lat)
SELECT 12, px >> 12, py >> 12,
       date_trunc('month', created_at AT TIME ZONE 'Europe/Berlin')::date, status,
       count(*), sum(ST_X(location)), sum(ST_Y(location))
FROM reports GROUP BY 2, 3, 4, 5
"""
ADD_COARSER = """
INSERT INTO map_month_statuses (level, cx, cy, month, status, n, sum_lon, sum_lat)
SELECT {level}, cx >> 1, cy >> 1, month, status, sum(n), sum(sum_lon), sum(sum_lat)
FROM map_month_statuses WHERE level = {level} - 1
GROUP BY cx >> 1, cy >> 1, month, status
"""


def upgrade():
    op.create_table(
        "map_month_statuses",
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.Column("cx", sa.Integer(), nullable=False),
        sa.Column("cy", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("sum_lon", sa.Float(), nullable=False),
        sa.Column("sum_lat", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint(
            "level", "cx", "cy", "month", "status", name=op.f("pk_map_month_statuses")
        ),
    )
    # The table is filled in the same transaction as the trigger changes: no report is missed.
    op.execute("LOCK TABLE reports IN SHARE ROW EXCLUSIVE MODE")
    op.execute(TRIGGER_FUNCTION)
    op.execute(ADD_FINEST)
    for level in range(FINEST + 1, COARSEST + 1):
        op.execute(ADD_COARSER.format(level=level))


def downgrade():
    op.execute(
        re.sub(r"\n *INSERT INTO map_month_statuses .*?;\n", "\n", TRIGGER_FUNCTION, flags=re.S)
    )
    op.drop_table("map_month_statuses")
