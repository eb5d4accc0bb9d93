"""Idempotency keys of staff actions (offline replay never acts twice)

Revision ID: f3c4d5e6a7b8
Revises: e2b3c4d5f6a7
Create Date: 2026-12-02 18:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f3c4d5e6a7b8'
down_revision = 'e2b3c4d5f6a7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'staff_request_keys',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.Uuid(), nullable=False),
        sa.Column('case_number', sa.String(length=20), nullable=False),
        sa.Column('action', sa.String(length=40), nullable=False),
        sa.Column('version_after', sa.Integer(), nullable=True),
        sa.Column(
            'created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ['user_id'], ['users.id'],
            name=op.f('fk_staff_request_keys_user_id_users'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_request_keys')),
        sa.UniqueConstraint('user_id', 'key', name=op.f('uq_staff_request_keys_user_id')),
    )
    op.create_index(
        op.f('ix_staff_request_keys_created_at'), 'staff_request_keys', ['created_at'],
        unique=False,
    )


def downgrade():
    op.drop_index(op.f('ix_staff_request_keys_created_at'), table_name='staff_request_keys')
    op.drop_table('staff_request_keys')
