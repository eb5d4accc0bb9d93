"""Mails of a new report are written by the outbox worker: the filing transaction stores
their kind and context (links, language), the worker renders subject and bodies

Revision ID: f9c0d1e2a3b4
Revises: d1e2f3a4b5c6
Create Date: 2026-12-04 10:00:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = 'f9c0d1e2a3b4'
down_revision = 'd1e2f3a4b5c6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_mails', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('context', postgresql.JSONB(astext_type=sa.Text()), nullable=True)
        )


def downgrade():
    # A mail not yet rendered cannot be sent without its context: send the outbox first.
    with op.batch_alter_table('outbox_mails', schema=None) as batch_op:
        batch_op.drop_column('context')
