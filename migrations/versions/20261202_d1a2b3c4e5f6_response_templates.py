"""Response templates (Textbausteine) for the public note, per category and status; the
snapshot of a rejected report, so a rejection can be taken back the same day

Revision ID: d1a2b3c4e5f6
Revises: c4d7e9a1b2f3
Create Date: 2026-12-02 17:45:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = 'd1a2b3c4e5f6'
down_revision = 'c4d7e9a1b2f3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'response_templates',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=100), nullable=False),
        sa.Column('text', sa.String(length=2000), nullable=False),
        sa.Column('category_id', sa.Integer(), nullable=True),
        sa.Column('status', sa.String(length=20), nullable=True),
        sa.Column(
            'created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ['category_id'], ['categories.id'],
            name=op.f('fk_response_templates_category_id_categories'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_response_templates')),
    )
    op.add_column(
        'rejected_reports',
        sa.Column('snapshot', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    )


def downgrade():
    op.drop_column('rejected_reports', 'snapshot')
    op.drop_table('response_templates')
