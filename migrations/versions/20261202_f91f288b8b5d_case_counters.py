"""Case numbers without gaps: a counter per year, continuing above every number already given

Revision ID: f91f288b8b5d
Revises: e4a1c2b3d5f6
Create Date: 2026-12-02 15:31:44.110098

"""
from alembic import op
import geoalchemy2
import sqlalchemy as sa


CATCH_UP = """
INSERT INTO case_counters (year, last)
SELECT CAST(split_part(case_number, '-', 1) AS int), max(CAST(split_part(case_number, '-', 2) AS int))
FROM (SELECT case_number FROM reports UNION ALL SELECT case_number FROM rejected_reports) AS n
WHERE case_number ~ '^[0-9]{4}-[0-9]{1,9}$'
GROUP BY 1
"""

# revision identifiers, used by Alembic.
revision = 'f91f288b8b5d'
down_revision = 'e4a1c2b3d5f6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('case_counters',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_case_counters'))
    )
    op.execute(CATCH_UP)


def downgrade():
    op.drop_table('case_counters')
