"""Guidance per category on the report form: help line, group, notice (emergency, responsible elsewhere, info)

Revision ID: 6bfaeb5eaffe
Revises: f91f288b8b5d
Create Date: 2026-12-02 15:40:56.843653

"""
from alembic import op
import geoalchemy2
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6bfaeb5eaffe'
down_revision = 'f91f288b8b5d'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('categories', schema=None) as batch_op:
        batch_op.add_column(sa.Column('help_text', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('group_name', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('notice_kind', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('notice', sa.String(length=1000), nullable=True))
        batch_op.add_column(sa.Column('notice_url', sa.String(length=2048), nullable=True))
        batch_op.create_check_constraint(
            op.f('ck_categories_notice_kind'), "notice_kind IN ('emergency', 'elsewhere', 'info')"
        )



def downgrade():
    with op.batch_alter_table('categories', schema=None) as batch_op:
        batch_op.drop_column('notice_url')
        batch_op.drop_column('notice')
        batch_op.drop_column('notice_kind')
        batch_op.drop_column('group_name')
        batch_op.drop_column('help_text')

