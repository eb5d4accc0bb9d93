"""Area alerts: mails about new public reports in a district or a circle (double opt-in)

Revision ID: d7a8b9c0e1f2
Revises: c6f7a8b9d0e1
Create Date: 2026-12-03 10:00:00

"""
from alembic import op
import sqlalchemy as sa
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = 'd7a8b9c0e1f2'
down_revision = 'c6f7a8b9d0e1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'area_alerts',
        sa.Column('id', sa.BigInteger(), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('language', sa.String(length=5), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('district_id', sa.Integer(), nullable=True),
        sa.Column('center', Geometry(geometry_type='POINT', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry'), nullable=True),
        sa.Column('radius_m', sa.Integer(), nullable=True),
        sa.Column('area', Geometry(geometry_type='POLYGON', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry'), nullable=True),
        sa.Column('area_label', sa.String(length=300), nullable=False),
        sa.Column('category_ids', postgresql.ARRAY(sa.Integer()), nullable=True),
        sa.Column('mode', sa.String(length=10), nullable=False),
        sa.Column('unsubscribe_token', sa.String(length=200), nullable=False),
        sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.Column('last_sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("kind IN ('district', 'radius')", name=op.f('ck_area_alerts_kind')),
        sa.CheckConstraint("mode IN ('immediate', 'digest')", name=op.f('ck_area_alerts_mode')),
        sa.CheckConstraint("kind <> 'district' OR district_id IS NOT NULL", name=op.f('ck_area_alerts_district_has_district')),
        sa.CheckConstraint("kind <> 'radius' OR (center IS NOT NULL AND area IS NOT NULL AND radius_m BETWEEN 50 AND 5000)", name=op.f('ck_area_alerts_radius_has_circle')),
        sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_area_alerts_district_id_districts'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_area_alerts')),
    )
    op.create_index('ix_area_alerts_district', 'area_alerts', ['district_id'], unique=False, postgresql_where=sa.text('confirmed_at IS NOT NULL'))
    op.create_index('ix_area_alerts_area', 'area_alerts', ['area'], unique=False, postgresql_using='gist', postgresql_where=sa.text('confirmed_at IS NOT NULL'))
    op.create_index('ix_area_alerts_email', 'area_alerts', ['email'], unique=False)
    op.create_index('ix_reports_published_at', 'reports', ['published_at'], unique=False, postgresql_where=sa.text('published_at IS NOT NULL'))


def downgrade():
    op.drop_index('ix_reports_published_at', table_name='reports', postgresql_where=sa.text('published_at IS NOT NULL'))
    op.drop_index('ix_area_alerts_email', table_name='area_alerts')
    op.drop_index('ix_area_alerts_area', table_name='area_alerts', postgresql_using='gist', postgresql_where=sa.text('confirmed_at IS NOT NULL'))
    op.drop_index('ix_area_alerts_district', table_name='area_alerts', postgresql_where=sa.text('confirmed_at IS NOT NULL'))
    op.drop_table('area_alerts')
