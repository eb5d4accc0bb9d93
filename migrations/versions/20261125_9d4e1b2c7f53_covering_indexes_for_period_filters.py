"""Covering indexes for map queries that combine a period with status, category or district

Revision ID: 9d4e1b2c7f53
Revises: 8c3f2a7e6b41
Create Date: 2026-11-25 10:10:00

"""

from alembic import op

revision = "9d4e1b2c7f53"
down_revision = "8c3f2a7e6b41"
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index("ix_reports_status_created", table_name="reports")
    op.drop_index("ix_reports_category_id", table_name="reports")
    op.drop_index("ix_reports_district_id", table_name="reports")
    op.create_index(
        "ix_reports_status_created",
        "reports",
        ["status", "created_at"],
        postgresql_include=["px", "py", "category_id", "district_id"],
    )
    op.create_index(
        "ix_reports_category_created",
        "reports",
        ["category_id", "created_at"],
        postgresql_include=["px", "py", "status", "district_id"],
    )
    op.create_index(
        "ix_reports_district_created",
        "reports",
        ["district_id", "created_at"],
        postgresql_include=["px", "py", "status", "category_id"],
    )


def downgrade():
    op.drop_index("ix_reports_district_created", table_name="reports")
    op.drop_index("ix_reports_category_created", table_name="reports")
    op.drop_index("ix_reports_status_created", table_name="reports")
    op.create_index("ix_reports_district_id", "reports", ["district_id"])
    op.create_index("ix_reports_category_id", "reports", ["category_id"])
    op.create_index("ix_reports_status_created", "reports", ["status", "created_at"])
