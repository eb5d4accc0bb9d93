"""Other bodies (Zuständige Stellen), their categories and areas, forwarding jobs; the body a
report went to, the reporter's consent to pass contact data on, timeline events of a body

Revision ID: 66bd72a1ae97
Revises: d2b7e1f04a11
Create Date: 2026-12-02 14:10:14.143265

"""
from alembic import op
import geoalchemy2
import sqlalchemy as sa
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

OLD_KINDS = "'internal_note', 'photo', 'public_note', 'reassignment', 'status_change'"
NEW_KINDS = "'forwarded', " + OLD_KINDS

# revision identifiers, used by Alembic.
revision = '66bd72a1ae97'
down_revision = 'd2b7e1f04a11'
branch_labels = None
depends_on = None


def upgrade():
    op.create_geospatial_table('bodies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('open311_url', sa.String(length=2048), nullable=True),
    sa.Column('open311_key', sa.String(length=200), nullable=True),
    sa.Column('jurisdiction', sa.String(length=100), nullable=True),
    sa.Column('service_codes', postgresql.JSONB(astext_type=sa.Text()), server_default='{}', nullable=False),
    sa.Column('area', Geometry(geometry_type='MULTIPOLYGON', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry'), nullable=True),
    sa.Column('partner_key_id', sa.Integer(), nullable=True),
    sa.Column('synced_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('synced_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sync_error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['partner_key_id'], ['api_keys.id'], name=op.f('fk_bodies_partner_key_id_api_keys'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bodies')),
    sa.UniqueConstraint('name', name=op.f('uq_bodies_name'))
    )
    with op.batch_alter_table('bodies', schema=None) as batch_op:
        batch_op.create_geospatial_index('idx_bodies_area', ['area'], unique=False, postgresql_using='gist', postgresql_ops={})

    op.create_table('body_categories',
    sa.Column('body_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['body_id'], ['bodies.id'], name=op.f('fk_body_categories_body_id_bodies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_body_categories_category_id_categories'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('body_id', 'category_id', name=op.f('pk_body_categories'))
    )
    op.create_table('exchange_jobs',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('report_id', sa.BigInteger(), nullable=False),
    sa.Column('body_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('run_after', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('remote_id', sa.String(length=200), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("state IN ('done', 'failed', 'pending', 'retry', 'running')", name=op.f('ck_exchange_jobs_state')),
    sa.ForeignKeyConstraint(['body_id'], ['bodies.id'], name=op.f('fk_exchange_jobs_body_id_bodies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_exchange_jobs_report_id_reports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_jobs')),
    sa.UniqueConstraint('report_id', 'body_id', name=op.f('uq_exchange_jobs_report_id'))
    )
    with op.batch_alter_table('exchange_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exchange_jobs_body_id'), ['body_id'], unique=False)
        batch_op.create_index('ix_exchange_jobs_due', ['run_after'], unique=False, postgresql_where=sa.text("state IN ('pending', 'retry', 'running')"))

    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('body_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('share_consent', sa.Boolean(), server_default=sa.text('false'), nullable=False))
        batch_op.create_foreign_key(batch_op.f('fk_reports_body_id_bodies'), 'bodies', ['body_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('timeline_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('body_id', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_timeline_events_body_id'), ['body_id', 'partner_update_id'])
        batch_op.create_foreign_key(batch_op.f('fk_timeline_events_body_id_bodies'), 'bodies', ['body_id'], ['id'], ondelete='SET NULL')

    op.drop_constraint(op.f("ck_timeline_events_kind"), "timeline_events", type_="check")
    op.create_check_constraint(op.f("ck_timeline_events_kind"), "timeline_events", f"kind IN ({NEW_KINDS})")


def downgrade():
    op.execute("DELETE FROM timeline_events WHERE kind = 'forwarded'")
    op.drop_constraint(op.f("ck_timeline_events_kind"), "timeline_events", type_="check")
    op.create_check_constraint(op.f("ck_timeline_events_kind"), "timeline_events", f"kind IN ({OLD_KINDS})")
    with op.batch_alter_table('timeline_events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_timeline_events_body_id_bodies'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_timeline_events_body_id'), type_='unique')
        batch_op.drop_column('body_id')

    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_reports_body_id_bodies'), type_='foreignkey')
        batch_op.drop_column('share_consent')
        batch_op.drop_column('body_id')

    with op.batch_alter_table('exchange_jobs', schema=None) as batch_op:
        batch_op.drop_index('ix_exchange_jobs_due', postgresql_where=sa.text("state IN ('pending', 'retry', 'running')"))
        batch_op.drop_index(batch_op.f('ix_exchange_jobs_body_id'))

    op.drop_table('exchange_jobs')
    op.drop_table('body_categories')
    with op.batch_alter_table('bodies', schema=None) as batch_op:
        batch_op.drop_geospatial_index('idx_bodies_area', postgresql_using='gist', column_name='area')

    op.drop_geospatial_table('bodies')
