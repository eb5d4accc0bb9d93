"""Extra questions per category and the answers stored with a report

Revision ID: c4d7e9a1b2f3
Revises: b8e2d6f1c3a9
Create Date: 2026-12-02 17:10:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = 'c4d7e9a1b2f3'
down_revision = 'b8e2d6f1c3a9'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'category_questions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('category_id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=50), nullable=False),
        sa.Column('label', sa.String(length=200), nullable=False),
        sa.Column('hint', sa.String(length=300), nullable=True),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('required', sa.Boolean(), server_default=sa.text('false'), nullable=False),
        sa.Column(
            'choices',
            postgresql.ARRAY(sa.String(length=100)),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
        sa.Column('position', sa.Integer(), server_default=sa.text('0'), nullable=False),
        sa.CheckConstraint(
            "kind IN ('text', 'number', 'choice')", name=op.f('ck_category_questions_question_kind')
        ),
        sa.ForeignKeyConstraint(
            ['category_id'], ['categories.id'],
            name=op.f('fk_category_questions_category_id_categories'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_category_questions')),
        sa.UniqueConstraint(
            'category_id', 'code', name=op.f('uq_category_questions_category_id')
        ),
    )
    op.add_column(
        'reports', sa.Column('answers', postgresql.JSONB(astext_type=sa.Text()), nullable=True)
    )


def downgrade():
    op.drop_column('reports', 'answers')
    op.drop_table('category_questions')
