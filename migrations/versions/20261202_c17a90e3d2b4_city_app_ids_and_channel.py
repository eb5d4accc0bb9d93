"""The city app: a stable app id per category, channel "app", the place in the reporter's words

Revision ID: c17a90e3d2b4
Revises: 88c5b2551bab
Create Date: 2026-12-02 13:10:00

"""
import secrets
import string

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c17a90e3d2b4'
down_revision = '88c5b2551bab'
branch_labels = None
depends_on = None

OLD_CHANNELS = "'api', 'email', 'letter', 'phone', 'web'"
NEW_CHANNELS = "'api', 'app', 'email', 'letter', 'phone', 'web'"
ALPHABET = string.ascii_letters + string.digits


def _app_id() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(10))


def upgrade():
    with op.batch_alter_table('categories', schema=None) as batch_op:
        batch_op.add_column(sa.Column('app_id', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False))
        batch_op.add_column(sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False))
    connection = op.get_bind()
    for (category_id,) in connection.execute(sa.text("SELECT id FROM categories")).all():
        connection.execute(
            sa.text("UPDATE categories SET app_id = :app_id WHERE id = :id"),
            {"app_id": _app_id(), "id": category_id},
        )
    with op.batch_alter_table('categories', schema=None) as batch_op:
        batch_op.alter_column('app_id', nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_categories_app_id'), ['app_id'])

    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('place_text', sa.String(length=300), nullable=True))
    op.drop_constraint(op.f("ck_reports_channel"), "reports", type_="check")
    op.create_check_constraint(op.f("ck_reports_channel"), "reports", f"channel IN ({NEW_CHANNELS})")


def downgrade():
    op.execute("UPDATE reports SET channel = 'api' WHERE channel = 'app'")
    op.drop_constraint(op.f("ck_reports_channel"), "reports", type_="check")
    op.create_check_constraint(op.f("ck_reports_channel"), "reports", f"channel IN ({OLD_CHANNELS})")
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_column('place_text')
    with op.batch_alter_table('categories', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_categories_app_id'), type_='unique')
        batch_op.drop_column('updated_at')
        batch_op.drop_column('app_id')
        batch_op.drop_column('created_at')
