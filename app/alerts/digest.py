"""The daily digest: one mail per address with every report that became public in the areas of
its confirmed digest alerts since their last digest, up to today's digest time
(ALERT_DIGEST_HOUR, city time).

Each alert remembers the end of the window it was sent (`last_sent_at`), so running the job
again — twice a day, or in two workers at once — sends nothing twice, and a day the job did
not run is in the next digest. Commits once, at the end."""

from __future__ import annotations

import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import Row, insert, select, text
from sqlalchemy.orm import selectinload

from app.alerts.mails import digest_mail, entry_texts
from app.alerts.matching import MATCHES_SQL
from app.extensions import db
from app.links import external_url
from app.models import AreaAlert, OutboxMail, Report
from app.notifications.outbox import sender_domain, unsubscribe_headers
from app.periodic import Periodic
from app.public.filters import BERLIN, day_start
from app.public.projection import PublicReport, public_report

# Its own advisory lock: a second run waits and then finds nothing due.
DIGEST_LOCK = 74210200
# How often the worker looks whether digests are due.
DIGEST_CHECK_SECONDS = 900
DUE = """
    SELECT id, COALESCE(last_sent_at, confirmed_at) AS since FROM area_alerts
    WHERE mode = 'digest' AND confirmed_at IS NOT NULL
      AND COALESCE(last_sent_at, confirmed_at) < :cut
"""
PAIRS = text(
    f"""
    WITH due AS ({DUE}),
         fresh AS (SELECT id, district_id, location, category_id, published_at FROM reports
                   WHERE published_at > (SELECT min(since) FROM due) AND published_at <= :cut)
    SELECT x.alert_id, x.report_id
    FROM ({MATCHES_SQL.format(reports="fresh")}) AS x
    JOIN due ON due.id = x.alert_id
    JOIN fresh ON fresh.id = x.report_id
    WHERE fresh.published_at > due.since
    ORDER BY x.alert_id, fresh.published_at, x.report_id
    """
)
MARK_SENT = text(
    f"UPDATE area_alerts SET last_sent_at = :cut WHERE id IN (SELECT id FROM ({DUE}) AS due)"
)


def digest_cut(now: datetime, hour: int) -> datetime:
    """The last digest time at or before `now`: today's ALERT_DIGEST_HOUR, else yesterday's."""
    today = now.astimezone(BERLIN).date()
    cut = day_start(today) + timedelta(hours=hour)
    return cut if cut <= now else day_start(today, -1) + timedelta(hours=hour)


def send_digests(now: datetime) -> dict[str, int]:
    """Write the due digests to the outbox and move every due alert's window on; counts of
    "mails", "reports" (distinct) and "alerts" (due, with or without news)."""
    cut = digest_cut(now, current_app.config["ALERT_DIGEST_HOUR"])
    db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": DIGEST_LOCK})
    found: dict[int, list[int]] = defaultdict(list)
    for alert_id, report_id in db.session.execute(PAIRS, {"cut": cut, "mode": "digest"}):
        found[alert_id].append(report_id)
    mails = _mails(found)
    if mails:
        db.session.execute(insert(OutboxMail), mails)
    due = db.session.execute(MARK_SENT, {"cut": cut}).rowcount  # type: ignore[attr-defined]
    db.session.commit()
    reports = {r for ids in found.values() for r in ids}
    return {"mails": len(mails), "reports": len(reports), "alerts": due}


def _mails(found: dict[int, list[int]]) -> list[dict]:
    if not found:
        return []
    alerts = db.session.execute(
        select(
            AreaAlert.id,
            AreaAlert.email,
            AreaAlert.language,
            AreaAlert.area_label,
            AreaAlert.unsubscribe_token,
        ).where(AreaAlert.id.in_(list(found)))
    ).all()
    reports = _public_reports({r for ids in found.values() for r in ids})
    # Each report's entry once per language, however many digests it is in.
    entries = {
        (report_id, language): entry_texts(shown, language)
        for report_id, shown in reports.items()
        for language in {a.language for a in alerts}
    }
    domain = sender_domain()
    rows = []
    for held in _by_address(alerts).values():
        # One digest per address, each report once, as in the immediate mails; its language
        # and unsubscribe link are those of the address's oldest alert.
        first = held[0]
        unsubscribe = external_url("alerts.unsubscribe", token=first.unsubscribe_token)
        ids = list(dict.fromkeys(r for alert in held for r in found[alert.id] if r in reports))
        listed = [entries[r, first.language] for r in ids]
        areas = ", ".join(dict.fromkeys(alert.area_label for alert in held))
        mail = digest_mail(areas, first.language, listed, unsubscribe)
        rows.append(
            {
                "message_id": f"<{uuid.uuid4().hex}@{domain}>",
                "recipient": first.email,
                "subject": mail.subject,
                "body_text": mail.text,
                "body_html": mail.html,
                "headers": unsubscribe_headers(unsubscribe),
                "kind": "alert_digest",
                "state": "pending",
                "attempts": 0,
            }
        )
    return rows


def _by_address(alerts: Sequence[Row]) -> dict[str, list[Row]]:
    held: dict[str, list[Row]] = defaultdict(list)
    for alert in sorted(alerts, key=lambda a: a.id):
        held[alert.email].append(alert)
    return held


def _public_reports(ids: set[int]) -> dict[int, PublicReport]:
    """What the public may see of these reports (the projection), read in a few queries."""
    loaded = db.session.scalars(
        select(Report)
        .where(Report.id.in_(ids))
        .options(
            selectinload(Report.category),
            selectinload(Report.district),
            selectinload(Report.department),
            selectinload(Report.photos),
            selectinload(Report.events),
            selectinload(Report.duplicate_of),
            selectinload(Report.body),
        )
    )
    return {report.id: public_report(report) for report in loaded}


class DigestSchedule(Periodic):
    """The digest inside the worker: it looks every DIGEST_CHECK_SECONDS and sends only what is
    due, so the mails go out soon after ALERT_DIGEST_HOUR and never twice."""

    failure = "Tägliche Übersichten nicht geschrieben"

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(DIGEST_CHECK_SECONDS, clock)

    def run(self) -> str:
        counts = send_digests(datetime.now(UTC))
        return f"Tägliche Übersichten: {counts['mails']} geschrieben."
