"""Keep first_reaction_at, closed_at and updated_at right on every status change

Revision ID: a7b1c9d2e4f6
Revises: 9d4e1b2c7f53
Create Date: 2026-11-25 10:50:00

"""

from alembic import op

revision = "a7b1c9d2e4f6"
down_revision = "9d4e1b2c7f53"
branch_labels = None
depends_on = None

# In the database, so that every path that changes a status (staff pages, API, SQL) keeps the
# statistics' timestamps right.
FUNCTION = """
CREATE OR REPLACE FUNCTION reports_status_times() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status IS DISTINCT FROM OLD.status THEN
        -- Times the application sets itself win; otherwise the change happened now.
        NEW.first_reaction_at := COALESCE(NEW.first_reaction_at, now());
        IF NEW.status IN ('resolved', 'not_responsible', 'duplicate', 'wont_fix') THEN
            NEW.closed_at := COALESCE(NEW.closed_at, now());
        ELSE
            NEW.closed_at := NULL;
        END IF;
        IF NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at THEN
            NEW.updated_at := now();
        END IF;
    END IF;
    RETURN NEW;
END
$$;
"""


def upgrade():
    op.execute(FUNCTION)
    op.execute(
        "CREATE TRIGGER reports_status_times BEFORE UPDATE OF status ON reports "
        "FOR EACH ROW EXECUTE FUNCTION reports_status_times()"
    )


def downgrade():
    op.execute("DROP TRIGGER IF EXISTS reports_status_times ON reports")
    op.execute("DROP FUNCTION IF EXISTS reports_status_times()")
