"""Trigram matching costed like the work it is, so the planner uses the street index

pg_trgm declares its operators as cheap as a plain comparison (cost 1); each check costs about
9 µs on a long street name, so the planner scanned every street instead of using the GIN index
(p95 57 ms at 1,000,000 addresses, 14 ms with the index; bench/addresses.py). The setting lives
on the extension's functions: pg_dump does not carry it, so a restored database runs this again
(`flask db downgrade c55bf11a17c5 && flask db upgrade`).

Revision ID: e4a1c2b3d5f6
Revises: c55bf11a17c5
Create Date: 2026-12-02 15:00:00

"""
from alembic import op

revision = "e4a1c2b3d5f6"
down_revision = "c55bf11a17c5"
branch_labels = None
depends_on = None

FUNCTIONS = (
    "similarity_op(text, text)",
    "word_similarity_op(text, text)",
    "word_similarity_commutator_op(text, text)",
)


def upgrade():
    for function in FUNCTIONS:
        op.execute(f"ALTER FUNCTION {function} COST 100")


def downgrade():
    for function in FUNCTIONS:
        op.execute(f"ALTER FUNCTION {function} COST 1")
