"""Open311 service request updates: keys that may update, the key that filed a report, partner ids of timeline events

Revision ID: d2b7e1f04a11
Revises: c17a90e3d2b4
Create Date: 2026-12-02 16:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd2b7e1f04a11'
down_revision = 'c17a90e3d2b4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('can_update', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('api_key_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_reports_api_key_id_api_keys'), 'api_keys', ['api_key_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('timeline_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('api_key_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('partner_update_id', sa.String(length=100), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_timeline_events_api_key_id_api_keys'), 'api_keys', ['api_key_id'], ['id'], ondelete='SET NULL')
        batch_op.create_unique_constraint(batch_op.f('uq_timeline_events_api_key_id'), ['api_key_id', 'partner_update_id'])
        batch_op.create_index(
            'ix_timeline_events_updates',
            ['created_at', 'id'],
            unique=False,
            postgresql_where=sa.text("public AND kind IN ('public_note', 'status_change')"),
        )


def downgrade():
    with op.batch_alter_table('timeline_events', schema=None) as batch_op:
        batch_op.drop_index('ix_timeline_events_updates', postgresql_where=sa.text("public AND kind IN ('public_note', 'status_change')"))
        batch_op.drop_constraint(batch_op.f('uq_timeline_events_api_key_id'), type_='unique')
        batch_op.drop_constraint(batch_op.f('fk_timeline_events_api_key_id_api_keys'), type_='foreignkey')
        batch_op.drop_column('partner_update_id')
        batch_op.drop_column('api_key_id')

    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_reports_api_key_id_api_keys'), type_='foreignkey')
        batch_op.drop_column('api_key_id')

    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.drop_column('can_update')
