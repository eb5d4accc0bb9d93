"""A report's own reporter supports another report through her tracking link: a support
without an address, named by the hash of that link (once per link and report)

Revision ID: d1e2f3a4b5c6
Revises: c0d1e2f3a4b5
Create Date: 2026-12-03 02:10:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 'd1e2f3a4b5c6'
down_revision = 'c0d1e2f3a4b5'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('supports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('token_hash', sa.String(length=64), nullable=True))
        batch_op.alter_column('email', existing_type=sa.String(length=254), nullable=True)
        batch_op.create_unique_constraint(
            batch_op.f('uq_supports_report_id_token_hash'), ['report_id', 'token_hash']
        )
        # The naming convention makes it ck_supports_who.
        batch_op.create_check_constraint('who', 'email IS NOT NULL OR token_hash IS NOT NULL')


def downgrade():
    op.execute("DELETE FROM supports WHERE email IS NULL")
    with op.batch_alter_table('supports', schema=None) as batch_op:
        batch_op.drop_constraint('who', type_='check')
        batch_op.drop_constraint(batch_op.f('uq_supports_report_id_token_hash'), type_='unique')
        batch_op.alter_column('email', existing_type=sa.String(length=254), nullable=False)
        batch_op.drop_column('token_hash')
