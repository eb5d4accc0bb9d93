"""Indexes behind the staff search (app/staff/search.py), and the normal form of a phone number
that both the index and the search use.

The description's index is a trigram index (pg_trgm), so `ILIKE '%word%'` finds a word anywhere
in a million texts without reading them all. Contact data is indexed only where a report has
it, in the normal form the search compares: e-mail in lower case, phone numbers as digits.
"""

from __future__ import annotations

import re

from sqlalchemy import ColumnElement, Index, TextClause, func, text
from sqlalchemy.orm import InstrumentedAttribute

from app.models.report import Report

TEXT_INDEXES = (
    Index(
        "ix_reports_description_trgm",
        Report.description,
        postgresql_using="gin",
        postgresql_ops={"description": "gin_trgm_ops"},
    ),
    # Only redacted reports keep the citizen's own words here: a small index.
    Index(
        "ix_reports_original_description_trgm",
        Report.original_description,
        postgresql_using="gin",
        postgresql_ops={"original_description": "gin_trgm_ops"},
        postgresql_where=Report.original_description.is_not(None),
    ),
)


def _literal(value: str) -> TextClause:
    # Written into the SQL, not bound: the planner uses an expression index only for a query
    # with the very same expression, constants included. (Text, not a literal column, which
    # would hide the index's table from SQLAlchemy.)
    return text("'" + value.replace("'", "''") + "'")


def phone_key_sql(column: InstrumentedAttribute[str | None]) -> ColumnElement[str]:
    """In SQL what `phone_key` does in Python (the index is built on exactly this expression)."""
    digits = func.regexp_replace(column, _literal("[^0-9+]"), _literal(""), _literal("g"))
    international = func.regexp_replace(digits, _literal(r"^\+"), _literal("00"))
    national = func.regexp_replace(international, _literal("^0049"), _literal("0"))
    return func.regexp_replace(national, _literal("^0+"), _literal(""))


def phone_key(raw: str) -> str:
    """One spelling per phone number: "0212 / 290-0", "+49 (0)212 2900" and "02122900" are
    "2122900" — digits without the German country code and without leading zeros (an
    international number keeps its country code: "+31 6 …" is "316…")."""
    digits = re.sub(r"[^0-9+]", "", raw)
    international = re.sub(r"^\+", "00", digits)
    national = re.sub(r"^0049", "0", international)
    return re.sub(r"^0+", "", national)


def email_key_sql(column: InstrumentedAttribute[str | None]) -> ColumnElement[str]:
    return func.lower(column)


CONTACT_INDEXES = (
    Index(
        "ix_reports_reporter_email_key",
        email_key_sql(Report.reporter_email),
        postgresql_where=Report.reporter_email.is_not(None),
    ),
    Index(
        "ix_reports_reporter_phone_key",
        phone_key_sql(Report.reporter_phone),
        postgresql_where=Report.reporter_phone.is_not(None),
    ),
)
