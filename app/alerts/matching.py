"""Which confirmed alerts a report that became public concerns, decided in SQL.

A district alert is found through its district id, a circle through the GiST index on its
polygon (then the distance in metres decides): two index lookups per report, however many
alerts there are. Immediate alerts get their mails in the same transaction as the publishing,
by one INSERT … SELECT into the outbox; nothing here commits."""

from __future__ import annotations

import json
import uuid

from sqlalchemy import text

from app.alerts.mails import LANGUAGES, report_mail
from app.extensions import db
from app.links import external_url
from app.models import Report
from app.notifications.outbox import sender_domain, unsubscribe_headers
from app.public.filters import WITHIN_SQL
from app.public.projection import public_report

# {reports}: a table or subquery with id, district_id, location, category_id. The alerts' own
# conditions (confirmed, mode, categories) sit in both arms, so each arm is one index lookup.
_ALERT_CONDITIONS = """a.confirmed_at IS NOT NULL AND a.mode = :mode
      AND (a.category_ids IS NULL OR r.category_id = ANY(a.category_ids))"""
MATCHES_SQL = f"""
    SELECT a.id AS alert_id, r.id AS report_id
    FROM {{reports}} AS r
    JOIN area_alerts AS a ON a.kind = 'district' AND a.district_id = r.district_id
    WHERE {_ALERT_CONDITIONS}
    UNION ALL
    SELECT a.id, r.id
    FROM {{reports}} AS r
    JOIN area_alerts AS a ON a.kind = 'radius' AND ST_Covers(a.area, r.location)
         AND {WITHIN_SQL.format(point="r.location", center="a.center", radius="a.radius_m")}
    WHERE {_ALERT_CONDITIONS}
"""

# One mail per address and report, even when two of its alerts match (a district and a
# circle in it); the unsubscribe link names the older alert. The bodies are rendered once per
# language with a slot where each recipient's unsubscribe token goes.
IMMEDIATE_MAILS = text(
    f"""
    INSERT INTO outbox_mails (message_id, recipient, subject, body_text, body_html, headers,
                              kind, report_id, state, attempts)
    SELECT DISTINCT ON (a.email)
           '<' || replace(gen_random_uuid()::text, '-', '') || '@' || :domain || '>', a.email,
           m.subject, replace(m.body_text, :slot, a.unsubscribe_token),
           replace(m.body_html, :slot, a.unsubscribe_token),
           CAST(replace(:headers, :slot, a.unsubscribe_token) AS jsonb),
           'alert', :report_id, 'pending', 0
    FROM ({MATCHES_SQL.format(reports="(SELECT * FROM reports WHERE id = :report_id)")}) AS x
    JOIN area_alerts AS a ON a.id = x.alert_id
    JOIN unnest(CAST(:languages AS text[]), CAST(:subjects AS text[]),
                CAST(:texts AS text[]), CAST(:htmls AS text[]))
         AS m(language, subject, body_text, body_html) ON m.language = a.language
    ORDER BY a.email, a.id
    """
)


def report_published(report: Report) -> int:
    """Mails to every confirmed immediate alert the report concerns; how many were written."""
    slot = uuid.uuid4().hex  # unguessable: no report text can contain it
    unsubscribe = external_url("alerts.unsubscribe", token=slot)
    shown = public_report(report)
    drafts = [report_mail(shown, language, unsubscribe) for language in LANGUAGES]
    result = db.session.execute(
        IMMEDIATE_MAILS,
        {
            "mode": "immediate",
            "report_id": report.id,
            "domain": sender_domain(),
            "slot": slot,
            "headers": json.dumps(unsubscribe_headers(unsubscribe)),
            "languages": list(LANGUAGES),
            "subjects": [d.subject for d in drafts],
            "texts": [d.text for d in drafts],
            "htmls": [d.html for d in drafts],
        },
    )
    return result.rowcount  # type: ignore[attr-defined]
