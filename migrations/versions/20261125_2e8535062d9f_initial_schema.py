"""Initial schema: districts, departments, categories, routing rules, reports, photos, timeline

Revision ID: 2e8535062d9f
Revises: 
Create Date: 2026-11-25 09:05:47.883918

"""
from alembic import op
import geoalchemy2
import sqlalchemy as sa
from geoalchemy2 import Geometry

# revision identifiers, used by Alembic.
revision = '2e8535062d9f'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    # PostGIS must exist before the first geometry column; a no-op where it is installed.
    op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    op.create_table('departments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=50), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_departments')),
    sa.UniqueConstraint('code', name=op.f('uq_departments_code'))
    )
    op.create_geospatial_table('districts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=50), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('geom', Geometry(geometry_type='MULTIPOLYGON', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_districts')),
    sa.UniqueConstraint('code', name=op.f('uq_districts_code'))
    )
    with op.batch_alter_table('districts', schema=None) as batch_op:
        batch_op.create_geospatial_index('idx_districts_geom', ['geom'], unique=False, postgresql_using='gist', postgresql_ops={})

    op.create_table('categories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=50), nullable=False),
    sa.Column('name_de', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=True),
    sa.Column('icon', sa.String(length=50), nullable=True),
    sa.Column('default_department_id', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['default_department_id'], ['departments.id'], name=op.f('fk_categories_default_department_id_departments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_categories')),
    sa.UniqueConstraint('code', name=op.f('uq_categories_code'))
    )
    op.create_geospatial_table('reports',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('case_number', sa.String(length=20), nullable=False),
    sa.Column('location', Geometry(geometry_type='POINT', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('reporter_name', sa.String(length=200), nullable=True),
    sa.Column('reporter_email', sa.String(length=254), nullable=True),
    sa.Column('reporter_phone', sa.String(length=50), nullable=True),
    sa.Column('tracking_token_hash', sa.String(length=64), nullable=False),
    sa.Column('submission_key_hash', sa.String(length=64), nullable=True),
    sa.CheckConstraint("channel IN ('web', 'api', 'phone', 'letter', 'email')", name=op.f('ck_reports_channel')),
    sa.CheckConstraint("status IN ('received', 'accepted', 'in_progress', 'resolved', 'not_responsible', 'duplicate', 'wont_fix')", name=op.f('ck_reports_status')),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_reports_category_id_categories')),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_reports_department_id_departments')),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_reports_district_id_districts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reports')),
    sa.UniqueConstraint('case_number', name=op.f('uq_reports_case_number')),
    sa.UniqueConstraint('submission_key_hash', name=op.f('uq_reports_submission_key_hash')),
    sa.UniqueConstraint('tracking_token_hash', name=op.f('uq_reports_tracking_token_hash'))
    )
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.create_geospatial_index('idx_reports_location', ['location'], unique=False, postgresql_using='gist', postgresql_ops={})
        batch_op.create_index(batch_op.f('ix_reports_category_id'), ['category_id'], unique=False)
        batch_op.create_index('ix_reports_created_at', ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_reports_department_id'), ['department_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reports_district_id'), ['district_id'], unique=False)
        batch_op.create_index('ix_reports_status_created', ['status', 'created_at'], unique=False)

    op.create_table('routing_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_routing_rules_category_id_categories'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_routing_rules_department_id_departments')),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_routing_rules_district_id_districts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_routing_rules')),
    sa.UniqueConstraint('category_id', 'district_id', name=op.f('uq_routing_rules_category_id'))
    )
    op.create_table('photos',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('report_id', sa.BigInteger(), nullable=False),
    sa.Column('filename', sa.String(length=100), nullable=False),
    sa.Column('thumbnail', sa.String(length=100), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('after', sa.Boolean(), nullable=False),
    sa.Column('hidden', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_photos_report_id_reports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_photos')),
    sa.UniqueConstraint('filename', name=op.f('uq_photos_filename')),
    sa.UniqueConstraint('thumbnail', name=op.f('uq_photos_thumbnail'))
    )
    with op.batch_alter_table('photos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_photos_report_id'), ['report_id'], unique=False)

    op.create_table('timeline_events',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('report_id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('public', sa.Boolean(), nullable=False),
    sa.Column('author', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("kind IN ('status_change', 'public_note', 'internal_note', 'reassignment', 'photo')", name=op.f('ck_timeline_events_kind')),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_timeline_events_report_id_reports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_timeline_events'))
    )
    with op.batch_alter_table('timeline_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_timeline_events_report_id'), ['report_id'], unique=False)

    # ### end Alembic commands ###


def downgrade():
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table('timeline_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_timeline_events_report_id'))

    op.drop_table('timeline_events')
    with op.batch_alter_table('photos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_photos_report_id'))

    op.drop_table('photos')
    op.drop_table('routing_rules')
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_index('ix_reports_status_created')
        batch_op.drop_index(batch_op.f('ix_reports_district_id'))
        batch_op.drop_index(batch_op.f('ix_reports_department_id'))
        batch_op.drop_index('ix_reports_created_at')
        batch_op.drop_index(batch_op.f('ix_reports_category_id'))
        batch_op.drop_geospatial_index('idx_reports_location', postgresql_using='gist', column_name='location')

    op.drop_geospatial_table('reports')
    op.drop_table('categories')
    with op.batch_alter_table('districts', schema=None) as batch_op:
        batch_op.drop_geospatial_index('idx_districts_geom', postgresql_using='gist', column_name='geom')

    op.drop_geospatial_table('districts')
    op.drop_table('departments')
    # ### end Alembic commands ###
