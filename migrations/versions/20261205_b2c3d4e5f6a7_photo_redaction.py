"""Faces and number plates on photos: suggested regions, review state, the unblurred original
until moderation is done

Revision ID: b2c3d4e5f6a7
Revises: a1b2c3d4e5f6
Create Date: 2026-12-05 08:00:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = 'b2c3d4e5f6a7'
down_revision = 'a1b2c3d4e5f6'
branch_labels = None
depends_on = None

STATES = "'auto', 'confirmed', 'none', 'pending', 'suggested'"


def upgrade():
    with op.batch_alter_table('photos', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'regions', postgresql.JSONB(astext_type=sa.Text()), server_default='[]',
            nullable=False,
        ))
        # Photos stored before detection existed: of published reports they count as checked
        # (staff saw them); those still waiting are searched by the worker (below).
        batch_op.add_column(sa.Column(
            'redaction', sa.String(length=10), server_default='none', nullable=False
        ))
        batch_op.add_column(sa.Column('original', sa.String(length=100), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_photos_original'), ['original'])
        batch_op.create_check_constraint('redaction', f"redaction IN ({STATES})")
        batch_op.create_index(
            'ix_photos_unreviewed', ['report_id'], unique=False,
            postgresql_where=sa.text("redaction IN ('pending', 'suggested')"),
        )
    op.execute(
        "UPDATE photos SET redaction = 'pending' FROM reports "
        "WHERE reports.id = photos.report_id AND reports.published_at IS NULL"
    )
    op.alter_column('photos', 'redaction', server_default='pending')


def downgrade():
    with op.batch_alter_table('photos', schema=None) as batch_op:
        batch_op.drop_index('ix_photos_unreviewed', postgresql_where=sa.text(
            "redaction IN ('pending', 'suggested')"
        ))
        batch_op.drop_constraint(batch_op.f('ck_photos_redaction'), type_='check')
        batch_op.drop_constraint(batch_op.f('uq_photos_original'), type_='unique')
        batch_op.drop_column('original')
        batch_op.drop_column('redaction')
        batch_op.drop_column('regions')
