"""'Ich bin auch betroffen': supports (confirmed by mail, one per address and report) and the
report's support_count with an index for the list's 'meiste Unterstützung' order

Revision ID: b5e6f7a8c9d0
Revises: d7a8b9c0e1f2
Create Date: 2026-12-03 09:00:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 'b5e6f7a8c9d0'
down_revision = 'd7a8b9c0e1f2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('supports',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('report_id', sa.BigInteger(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('follow', sa.Boolean(), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_supports_report_id_reports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supports')),
    sa.UniqueConstraint('report_id', 'email', name=op.f('uq_supports_report_id'))
    )
    # A constant default: PostgreSQL adds the column without rewriting the table.
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('support_count', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_check_constraint(op.f('ck_reports_support_count'), 'support_count >= 0')
        batch_op.create_index('ix_reports_support_order', ['support_count', 'created_at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_index('ix_reports_support_order')
        batch_op.drop_constraint(op.f('ck_reports_support_count'), type_='check')
        batch_op.drop_column('support_count')
    op.drop_table('supports')
