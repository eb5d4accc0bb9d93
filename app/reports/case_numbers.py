"""Case numbers without gaps: "2026-000123" counts the reports stored in 2026. A number is
taken from the year's counter only once the report is stored, in the same transaction, so a
refused or rolled-back report takes none (its counter update is rolled back with it). The row
lock on the year's counter orders concurrent filings; it is held until their commit."""

from __future__ import annotations

from sqlalchemy import text

from app.extensions import db

# Reports get this until their number is assigned a moment later in the same transaction.
PLACEHOLDER_SQL = "'~' || {id}"

ASSIGN = text(
    """
    WITH year AS (
        SELECT CAST(to_char(created_at AT TIME ZONE 'Europe/Berlin', 'YYYY') AS int) AS y
        FROM reports WHERE id = :id
    ), next AS (
        INSERT INTO case_counters AS c (year, last) SELECT y, 1 FROM year
        ON CONFLICT (year) DO UPDATE SET last = c.last + 1
        RETURNING year, last
    )
    UPDATE reports
    SET case_number = next.year || '-'
                      || lpad(next.last::text, greatest(6, length(next.last::text)), '0')
    FROM next WHERE reports.id = :id
    RETURNING reports.case_number
    """
)

# After numbers were written some other way (migrations, the demo generator): the counters
# continue above every number already given.
CATCH_UP = text(
    """
    INSERT INTO case_counters AS c (year, last)
    SELECT CAST(split_part(case_number, '-', 1) AS int),
           max(CAST(split_part(case_number, '-', 2) AS int))
    FROM (SELECT case_number FROM reports UNION ALL SELECT case_number FROM rejected_reports) AS n
    WHERE case_number ~ '^[0-9]{4}-[0-9]{1,9}$'
    GROUP BY 1
    ON CONFLICT (year) DO UPDATE SET last = greatest(c.last, excluded.last)
    """
)


def assign(report_id: int) -> str:
    """The next number of the report's year, written to the report."""
    number = db.session.scalar(ASSIGN, {"id": report_id})
    if number is None:
        raise LookupError(f"report {report_id} not found")
    return number


def catch_up() -> None:
    db.session.execute(CATCH_UP)
