"""The staff search: one field for a case number, a reporter's e-mail or phone number, or words
of the description. Staff only — it reads contact data — and crews see only their departments'
reports. Every kind of query is answered from an index (app/models/report_search.py)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, and_, or_, select, true
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import Report, User
from app.models.report_search import email_key_sql, phone_key, phone_key_sql

MAX_LENGTH = 200
MIN_WORD = 3  # a trigram index needs three characters to narrow anything down
MAX_WORDS = 8
PAGE = 50
# How many of the newest reports a word is looked for in before the index is asked (see search).
RECENT = 5000
BERLIN = ZoneInfo("Europe/Berlin")

# A year of this or the last century, so "0212-2900" stays a phone number.
CASE_NUMBER = re.compile(r"((?:19|20)\d{2})\s*[-–/ ]\s*0*(\d{1,9})", re.ASCII)
# Six digits at most (leading zeros included): longer runs of digits are phone numbers.
BARE_NUMBER = re.compile(r"\d{1,6}", re.ASCII)
# Pasted numbers bring no-break spaces and dashes along.
PHONE = re.compile(r"\+?[\d\s\u00a0()/.\-–]+", re.ASCII)
MIN_PHONE_DIGITS = 5


class SearchRefused(ValueError):
    """A German message for a query that cannot be searched."""


@dataclass(frozen=True)
class Query:
    """What a search is for: kind "case", "email", "phone" or "text", and the normal form."""

    kind: str
    value: str
    words: tuple[str, ...] = ()
    # Words of the text search left out because they are too short.
    dropped: tuple[str, ...] = ()

    @property
    def described(self) -> str:
        """The query in words, for the results page."""
        return {
            "case": f"Vorgangsnummer {self.value}",
            "email": f"E-Mail-Adresse {self.value}",
            "phone": f"Telefonnummer (Ziffern: {self.value})",
            "text": "Text: " + " ".join(f"„{w}“" for w in self.words),
        }[self.kind]


def understand(raw: str | None, now: datetime | None = None) -> Query | None:
    """The query a person typed, or None for an empty field; SearchRefused for one that
    cannot be searched (too long, control characters, nothing long enough)."""
    text = (raw or "").strip()
    if not text:
        return None
    if len(text) > MAX_LENGTH:
        raise SearchRefused(f"Der Suchbegriff ist zu lang: höchstens {MAX_LENGTH} Zeichen.")
    if any(unicodedata.category(c) in ("Cc", "Cs", "Zl", "Zp") for c in text):
        raise SearchRefused("Der Suchbegriff enthält unzulässige Steuerzeichen.")
    if match := CASE_NUMBER.fullmatch(text):
        return Query("case", f"{match[1]}-{int(match[2]):06d}")
    if match := BARE_NUMBER.fullmatch(text):
        # "123" on the phone means this year's report 123.
        year = (now or datetime.now(BERLIN)).astimezone(BERLIN).year
        return Query("case", f"{year}-{int(match[0]):06d}")
    if "@" in text and not any(c.isspace() for c in text):
        return Query("email", text.lower())
    if PHONE.fullmatch(text) and sum(c in "0123456789" for c in text) >= MIN_PHONE_DIGITS:
        return Query("phone", phone_key(text))
    return _text_query(text)


def _text_query(text: str) -> Query:
    words = list(dict.fromkeys(text.split()))  # each word once, in order
    kept = tuple(w for w in words if len(w) >= MIN_WORD)
    dropped = tuple(w for w in words if len(w) < MIN_WORD)
    if not kept:
        raise SearchRefused(
            f"Bitte mindestens ein Wort mit {MIN_WORD} oder mehr Zeichen eingeben, eine "
            "Vorgangsnummer (2026-000123), eine E-Mail-Adresse oder eine Telefonnummer."
        )
    if len(kept) > MAX_WORDS:
        raise SearchRefused(f"Bitte höchstens {MAX_WORDS} Suchwörter eingeben.")
    return Query("text", " ".join(kept), kept, dropped)


def like_pattern(word: str) -> str:
    """`%word%` with the word's own %, _ and \\ matching themselves (backslash is
    PostgreSQL's LIKE escape character)."""
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _condition(query: Query, rows: Any = Report.__table__.c) -> ColumnElement[bool]:
    """The query as SQL over `rows`: the reports table, or the newest reports (a subquery)."""
    if query.kind == "case":
        return rows.case_number == query.value
    if query.kind == "email":
        return email_key_sql(rows.reporter_email) == query.value
    if query.kind == "phone":
        return phone_key_sql(rows.reporter_phone) == query.value
    return and_(
        *(
            or_(rows.description.ilike(p), rows.original_description.ilike(p))
            for p in map(like_pattern, query.words)
        )
    )


def _visible(user: User, rows: Any = Report.__table__.c) -> ColumnElement[bool]:
    """Crews find only the reports of their departments (as they may open only those)."""
    if user.role in ("admin", "dispatcher"):
        return true()
    return rows.department_id.in_([d.id for d in user.departments])


def visible_to(user: User, statement: Select) -> Select:
    return statement.where(_visible(user))


@dataclass(frozen=True)
class Results:
    reports: list[Report]
    more: bool  # there are more than PAGE hits: the newest PAGE are shown


def search(user: User, query: Query, limit: int = PAGE) -> Results:
    """The matching reports the user may open, newest first.

    Newest first with a limit tempts the planner to walk the reports by date until enough
    match — right for a common word, a scan of a million rows for a rare one (or for a word
    common elsewhere but absent from a crew's departments). So the order is chosen here: a
    word is first looked for among the newest RECENT reports; if they do not hold a page of
    hits, the word is rare, and all its hits come from the index and are sorted. Contact data
    and case numbers always match a few reports: index first."""
    ids: list[int] = []
    if query.kind == "text":
        ids = _among_newest(user, query, limit + 1)
    if len(ids) <= limit:
        ids = _from_the_index(user, query, limit + 1)
    reports = db.session.scalars(
        select(Report)
        .where(Report.id.in_(ids))
        .options(joinedload(Report.category), joinedload(Report.district))
    )
    order = {report_id: position for position, report_id in enumerate(ids)}
    found = sorted(reports, key=lambda report: order[report.id])
    return Results(found[:limit], len(found) > limit)


def _among_newest(user: User, query: Query, wanted: int) -> list[int]:
    columns = Report.__table__.c
    newest = (
        select(
            columns.id,
            columns.created_at,
            columns.description,
            columns.original_description,
            columns.department_id,
        )
        .order_by(columns.created_at.desc(), columns.id.desc())
        .limit(RECENT)
        .subquery()
    )
    statement = (
        select(newest.c.id)
        .where(_condition(query, newest.c), _visible(user, newest.c))
        .order_by(newest.c.created_at.desc(), newest.c.id.desc())
        .limit(wanted)
    )
    return list(db.session.scalars(statement))


def _from_the_index(user: User, query: Query, wanted: int) -> list[int]:
    columns = Report.__table__.c
    # MATERIALIZED: every hit first (through the index), then the newest of them.
    hits = (
        select(columns.id, columns.created_at)
        .where(_condition(query), _visible(user))
        .cte("hits")
        .prefix_with("MATERIALIZED")
    )
    statement = select(hits.c.id).order_by(hits.c.created_at.desc(), hits.c.id.desc()).limit(wanted)
    return list(db.session.scalars(statement))


def matched_original_only(report: Report, query: Query) -> bool:
    """Whether a text hit is in the citizen's own words only (redacted from the public text)."""
    if query.kind != "text":
        return False
    public = report.description.casefold()
    return not all(word.casefold() in public for word in query.words)
