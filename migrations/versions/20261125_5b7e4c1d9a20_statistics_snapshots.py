"""Statistics snapshots for the transparency page

Revision ID: 5b7e4c1d9a20
Revises: d1dc39bff52d
Create Date: 2026-11-25 09:58:00

"""

import sqlalchemy as sa
from alembic import op

revision = "5b7e4c1d9a20"
down_revision = "d1dc39bff52d"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "statistics_snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "computed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statistics_snapshots")),
    )


def downgrade():
    op.drop_table("statistics_snapshots")
