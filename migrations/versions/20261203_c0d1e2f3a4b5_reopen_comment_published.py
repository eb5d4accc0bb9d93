"""The public note a reopen comment was published as (once, by the inbox)

Revision ID: c0d1e2f3a4b5
Revises: b5e6f7a8c9d0
Create Date: 2026-12-03 02:00:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 'c0d1e2f3a4b5'
down_revision = 'b5e6f7a8c9d0'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('resolution_feedback', schema=None) as batch_op:
        batch_op.add_column(sa.Column('published_event_id', sa.BigInteger(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_resolution_feedback_published_event_id_timeline_events'),
            'timeline_events', ['published_event_id'], ['id'], ondelete='SET NULL',
        )


def downgrade():
    with op.batch_alter_table('resolution_feedback', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_resolution_feedback_published_event_id_timeline_events'),
            type_='foreignkey',
        )
        batch_op.drop_column('published_event_id')
