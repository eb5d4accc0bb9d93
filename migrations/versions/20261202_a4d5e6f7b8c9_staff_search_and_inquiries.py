"""Staff search (trigram index on the texts, contact data in normal form) and questions to the reporter (Rückfragen) with one-time answer links

Revision ID: a4d5e6f7b8c9
Revises: f3c4d5e6a7b8
Create Date: 2026-12-02 18:00:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 'a4d5e6f7b8c9'
down_revision = 'f3c4d5e6a7b8'
branch_labels = None
depends_on = None

# The same expression as app.models.report_search.phone_key_sql: the search finds a number only
# through an index on exactly this.
PHONE_KEY = (
    "regexp_replace(regexp_replace(regexp_replace(regexp_replace(reporter_phone, "
    "'[^0-9+]', '', 'g'), '^\\+', '00'), '^0049', '0'), '^0+', '')"
)


def upgrade():
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.create_index(
            'ix_reports_description_trgm', ['description'], unique=False,
            postgresql_using='gin', postgresql_ops={'description': 'gin_trgm_ops'},
        )
        batch_op.create_index(
            'ix_reports_original_description_trgm', ['original_description'], unique=False,
            postgresql_using='gin', postgresql_ops={'original_description': 'gin_trgm_ops'},
            postgresql_where=sa.text('original_description IS NOT NULL'),
        )
        batch_op.create_index(
            'ix_reports_reporter_email_key', [sa.text('lower(reporter_email)')], unique=False,
            postgresql_where=sa.text('reporter_email IS NOT NULL'),
        )
        batch_op.create_index(
            'ix_reports_reporter_phone_key', [sa.text(PHONE_KEY)], unique=False,
            postgresql_where=sa.text('reporter_phone IS NOT NULL'),
        )

    op.create_table('inquiries',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('report_id', sa.BigInteger(), nullable=False),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('asked_by', sa.String(length=200), nullable=False),
    sa.Column('asked_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answer_event_id', sa.BigInteger(), nullable=True),
    sa.Column('published_event_id', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['answer_event_id'], ['timeline_events.id'], name=op.f('fk_inquiries_answer_event_id_timeline_events'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['asked_by_id'], ['users.id'], name=op.f('fk_inquiries_asked_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['published_event_id'], ['timeline_events.id'], name=op.f('fk_inquiries_published_event_id_timeline_events'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_inquiries_report_id_reports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inquiries')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_inquiries_token_hash'))
    )
    with op.batch_alter_table('inquiries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inquiries_report_id'), ['report_id'], unique=False)


def downgrade():
    with op.batch_alter_table('inquiries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inquiries_report_id'))
    op.drop_table('inquiries')

    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_index('ix_reports_reporter_phone_key')
        batch_op.drop_index('ix_reports_reporter_email_key')
        batch_op.drop_index('ix_reports_original_description_trgm')
        batch_op.drop_index('ix_reports_description_trgm')
