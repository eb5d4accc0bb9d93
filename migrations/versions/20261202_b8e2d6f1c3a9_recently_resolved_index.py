"""Partial covering index over resolved reports by closed_at: the map of the default filter
(open plus resolved in the last 30 days) counts a month's closures from the index alone

Revision ID: b8e2d6f1c3a9
Revises: 6bfaeb5eaffe
Create Date: 2026-12-02 17:10:00

"""

import sqlalchemy as sa
from alembic import op

revision = "b8e2d6f1c3a9"
down_revision = "6bfaeb5eaffe"
branch_labels = None
depends_on = None


def upgrade():
    # About a second at a million reports, during which reports cannot be written.
    op.create_index(
        "ix_reports_resolved_closed",
        "reports",
        ["closed_at"],
        postgresql_include=["px", "py", "category_id", "district_id"],
        postgresql_where=sa.text("status = 'resolved'"),
    )


def downgrade():
    op.drop_index("ix_reports_resolved_closed", table_name="reports")
