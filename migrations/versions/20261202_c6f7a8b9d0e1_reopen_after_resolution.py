""""Ist der Mangel behoben?": the status reopened (an open status: the CHECK constraint and the
partial indexes of open reports include it), the reporter's subscription marked as such, and
the resolutions the reporter was asked about with their answers

Revision ID: c6f7a8b9d0e1
Revises: e8b9c0d1f2a3
Create Date: 2026-12-02 20:00:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 'c6f7a8b9d0e1'
down_revision = 'e8b9c0d1f2a3'
branch_labels = None
depends_on = None

# Frozen here as they were when this revision was written (app.models.status.sql_in).
STATUSES_BEFORE = (
    "'accepted', 'duplicate', 'in_progress', 'not_responsible', 'received', 'resolved', "
    "'wont_fix'"
)
STATUSES_AFTER = STATUSES_BEFORE + ", 'reopened'"
OPEN_BEFORE = "'accepted', 'in_progress', 'received'"
OPEN_AFTER = "'accepted', 'in_progress', 'received', 'reopened'"
# The partial indexes over open reports (app.models.report): name, method and columns.
OPEN_INDEXES = {
    'ix_reports_open_priority': "USING btree (priority DESC, created_at, id)",
    'ix_reports_open_location': "USING gist (location)",
    'ix_reports_open_department': "USING btree (department_id, created_at, id)",
}


def _open_indexes(statuses: str) -> None:
    for name, how in OPEN_INDEXES.items():
        op.execute(f"DROP INDEX IF EXISTS {name}")
        op.execute(f"CREATE INDEX {name} ON reports {how} WHERE status IN ({statuses})")


def _status_check(statuses: str) -> None:
    op.drop_constraint(op.f('ck_reports_status'), 'reports', type_='check')
    op.create_check_constraint(op.f('ck_reports_status'), 'reports', f"status IN ({statuses})")


def upgrade():
    _status_check(STATUSES_AFTER)
    _open_indexes(OPEN_AFTER)

    with op.batch_alter_table('subscriptions', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('reporter', sa.Boolean(), server_default=sa.text('false'), nullable=False)
        )
    # The reporter's subscription is the one with the address given with the report (followers
    # of a report cannot have the reporter's own address: one subscription per address).
    op.execute(
        "UPDATE subscriptions AS s SET reporter = true FROM reports AS r "
        "WHERE r.id = s.report_id AND s.email = lower(trim(r.reporter_email))"
    )

    op.create_table('resolution_feedback',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('report_id', sa.BigInteger(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('answer', sa.String(length=10), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('comment_event_id', sa.BigInteger(), nullable=True),
    sa.CheckConstraint("answer IN ('confirmed', 'reopened')", name=op.f('ck_resolution_feedback_answer')),
    sa.ForeignKeyConstraint(['comment_event_id'], ['timeline_events.id'], name=op.f('fk_resolution_feedback_comment_event_id_timeline_events'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_resolution_feedback_department_id_departments')),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_resolution_feedback_report_id_reports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resolution_feedback'))
    )
    with op.batch_alter_table('resolution_feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resolution_feedback_report_id'), ['report_id'], unique=False)
        batch_op.create_index('ix_resolution_feedback_resolved_at', ['resolved_at', 'department_id'], unique=False)


def downgrade():
    with op.batch_alter_table('resolution_feedback', schema=None) as batch_op:
        batch_op.drop_index('ix_resolution_feedback_resolved_at')
        batch_op.drop_index(batch_op.f('ix_resolution_feedback_report_id'))
    op.drop_table('resolution_feedback')
    with op.batch_alter_table('subscriptions', schema=None) as batch_op:
        batch_op.drop_column('reporter')
    # Without the status, a reopened report is back at the start, as a partner's REOPEN was.
    op.execute("UPDATE reports SET status = 'received' WHERE status = 'reopened'")
    _open_indexes(OPEN_BEFORE)
    _status_check(STATUSES_BEFORE)
