"""Addresses and streets for the address search (pg_trgm), the public place description of reports

Revision ID: c55bf11a17c5
Revises: 66bd72a1ae97
Create Date: 2026-12-02 14:41:33.417638

"""
from alembic import op
import geoalchemy2
import sqlalchemy as sa
from geoalchemy2 import Geometry

# revision identifiers, used by Alembic.
revision = 'c55bf11a17c5'
down_revision = '66bd72a1ae97'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_geospatial_table('streets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('name_norm', sa.String(length=200), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=True),
    sa.Column('location', Geometry(geometry_type='POINT', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_streets_district_id_districts'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_streets')),
    sa.UniqueConstraint('source', 'name', 'district_id', name=op.f('uq_streets_source'))
    )
    with op.batch_alter_table('streets', schema=None) as batch_op:
        batch_op.create_geospatial_index('idx_streets_location', ['location'], unique=False, postgresql_using='gist', postgresql_ops={})
        batch_op.create_index('ix_streets_name_norm_trgm', ['name_norm'], unique=False, postgresql_using='gin', postgresql_ops={'name_norm': 'gin_trgm_ops'})
        batch_op.create_index(batch_op.f('ix_streets_source'), ['source'], unique=False)

    op.create_geospatial_table('addresses',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('street_id', sa.Integer(), nullable=False),
    sa.Column('street', sa.String(length=200), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('suffix', sa.String(length=20), nullable=False),
    sa.Column('postcode', sa.String(length=10), nullable=True),
    sa.Column('district_id', sa.Integer(), nullable=True),
    sa.Column('location', Geometry(geometry_type='POINT', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_addresses_district_id_districts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['street_id'], ['streets.id'], name=op.f('fk_addresses_street_id_streets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_addresses'))
    )
    with op.batch_alter_table('addresses', schema=None) as batch_op:
        batch_op.create_geospatial_index('idx_addresses_location', ['location'], unique=False, postgresql_using='gist', postgresql_ops={})
        batch_op.create_index(batch_op.f('ix_addresses_source'), ['source'], unique=False)
        batch_op.create_index('ix_addresses_street_number', ['street_id', 'number', 'suffix'], unique=False)

    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('address', sa.String(length=300), nullable=True))



def downgrade():
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_column('address')

    with op.batch_alter_table('addresses', schema=None) as batch_op:
        batch_op.drop_index('ix_addresses_street_number')
        batch_op.drop_index(batch_op.f('ix_addresses_source'))
        batch_op.drop_geospatial_index('idx_addresses_location', postgresql_using='gist', column_name='location')

    op.drop_geospatial_table('addresses')
    with op.batch_alter_table('streets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_streets_source'))
        batch_op.drop_index('ix_streets_name_norm_trgm', postgresql_using='gin', postgresql_ops={'name_norm': 'gin_trgm_ops'})
        batch_op.drop_geospatial_index('idx_streets_location', postgresql_using='gist', column_name='location')

    op.drop_geospatial_table('streets')
