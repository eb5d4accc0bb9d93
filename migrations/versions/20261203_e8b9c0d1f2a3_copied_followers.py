"""Followers copied from a duplicate onto its original are marked, so taking the duplicate back
takes exactly those copies off the original

Revision ID: e8b9c0d1f2a3
Revises: a4d5e6f7b8c9
Create Date: 2026-12-03 01:00:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 'e8b9c0d1f2a3'
down_revision = 'a4d5e6f7b8c9'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('subscriptions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('copied_from_id', sa.BigInteger(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_subscriptions_copied_from_id_reports'), 'reports',
            ['copied_from_id'], ['id'], ondelete='SET NULL',
        )


def downgrade():
    with op.batch_alter_table('subscriptions', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_subscriptions_copied_from_id_reports'), type_='foreignkey'
        )
        batch_op.drop_column('copied_from_id')
