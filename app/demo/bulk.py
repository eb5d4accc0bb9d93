"""Loading many rows into an empty table the way pg_restore does: indexes and foreign keys are
set aside before the load and built afterwards in one pass each.

Keeping 20-odd indexes up to date row by row (a trigram GIN, GiSTs, covering B-trees) and
checking three foreign keys per row cost several times the insert itself; building an index over
sorted input and validating a foreign key with one anti-join cost a fraction. Only for empty
tables: the tables are locked exclusively until the commit, and everything happens in the
caller's transaction, so a failure leaves the schema as it was.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text

from app.extensions import db

# Indexes that back no constraint (primary and unique keys stay: other tables' foreign keys
# refer to them, and they keep the load's own uniqueness checked) and have no predicate: a
# partial index's predicate does not come back from pg_get_indexdef in the form the migration
# wrote (an IN list of varchar gains casts), and whether the planner still proves the app's
# queries against it is better not left to chance. Those are small or rarely written anyway.
PLAIN_INDEXES = """
SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS definition
FROM pg_index AS i
WHERE i.indrelid = CAST(:table AS regclass) AND i.indpred IS NULL
  AND NOT EXISTS (SELECT FROM pg_constraint AS c WHERE c.conindid = i.indexrelid)
ORDER BY i.indexrelid
"""

FOREIGN_KEYS = """
SELECT conname AS name, pg_get_constraintdef(oid) AS definition
FROM pg_constraint
WHERE conrelid = CAST(:table AS regclass) AND contype = 'f'
ORDER BY oid
"""


@contextmanager
def into_empty(*tables: str) -> Iterator[bool]:
    """A block that inserts many rows into the tables: when all of them are empty, they are
    locked exclusively (until the commit), their plain indexes and foreign keys are dropped and
    created again after the block. Yields whether that happened; otherwise nothing changes."""
    if not _lock_if_empty(tables):
        yield False
        return
    saved = [
        (
            table,
            db.session.execute(text(PLAIN_INDEXES), {"table": table}).all(),
            db.session.execute(text(FOREIGN_KEYS), {"table": table}).all(),
        )
        for table in tables
    ]
    for table, indexes, keys in saved:
        for name, _ in keys:
            db.session.execute(text(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"'))
        if indexes:
            db.session.execute(text(f"DROP INDEX {', '.join(name for name, _ in indexes)}"))
    yield True
    for table, indexes, keys in saved:
        for _, definition in indexes:
            db.session.execute(text(definition))
        for name, definition in keys:
            db.session.execute(text(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'))


def _lock_if_empty(tables: tuple[str, ...]) -> bool:
    # A quick look first, so that a load into a table in use never waits for its readers.
    if not all(_is_empty(table) for table in tables):
        return False
    db.session.execute(text(f"LOCK TABLE {', '.join(tables)} IN ACCESS EXCLUSIVE MODE"))
    return all(_is_empty(table) for table in tables)


def _is_empty(table: str) -> bool:
    return not db.session.scalar(text(f"SELECT EXISTS (SELECT FROM {table})"))
