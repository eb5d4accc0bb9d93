"""The mails of a new report (the reporter's receipt, the department's notice), written by the
outbox worker rather than in the filing request.

Rendering four templates and loading the category, district and department for them made up a
fifth of a submission's time, and the number they show is only taken at the very end of the
filing transaction (app.reports.case_numbers). So the filing statement stores each mail with its
kind and context: the links, built in the request as before (the request's host, the secret
tracking link), with a slot where the case number or the unsubscribe token goes. The worker
renders the mail from the committed report before its first attempt (`render`) and keeps the
text, so a retry sends the same words and the admin page shows them.
"""

from __future__ import annotations

import json

from app.extensions import db
from app.links import external_url
from app.models import OutboxMail, Report
from app.notifications import outbox, tokens
from app.notifications.compose import draft

# Stand in for what the request cannot know yet; url_for leaves these letters as they are.
CASE_SLOT = "case-number-slot"
TOKEN_SLOT = "unsubscribe-token-slot"

# Needs {report}: a CTE of the inserted report row (id, department_id, body_id). A reporter who
# gave an address follows the report (confirmed: she filed it) and gets the receipt; the
# department gets its notice unless another body takes the report.
FILED_MAILS = """
reporter AS (
    INSERT INTO subscriptions (report_id, email, language, confirmed_at, reporter)
    SELECT r.id, CAST(:mail_reporter AS varchar), :mail_language, now(), true FROM {report} AS r
    WHERE CAST(:mail_reporter AS varchar) IS NOT NULL
    RETURNING id, report_id, email
), filed_mails AS (
    INSERT INTO outbox_mails (message_id, recipient, subject, body_text, body_html, headers,
                              kind, report_id, state, attempts, context)
    SELECT '<' || replace(gen_random_uuid()::text, '-', '') || '@' || :mail_domain || '>',
           m.recipient, '', '', '', '{{}}', m.kind, m.report_id, 'pending', 0, m.context
    FROM (SELECT s.email AS recipient, 'receipt' AS kind, s.report_id,
                 CAST(:mail_receipt AS jsonb) || jsonb_build_object('subscription_id', s.id)
                     AS context
          FROM reporter AS s
          UNION ALL
          SELECT d.email, 'department', r.id, CAST(:mail_department AS jsonb)
          FROM {report} AS r JOIN departments AS d ON d.id = r.department_id
          WHERE r.body_id IS NULL AND d.email <> '') AS m
)"""


def filed_mails(report: str) -> str:
    """CTEs (for a WITH list) that write the new report's subscription and mails."""
    return FILED_MAILS.format(report=report)


def filed_mail_values(tracking_token: str, language: str, reporter: str | None) -> dict:
    """The parameters of `filed_mails`: `reporter` is the address in its normal form."""
    receipt = {
        "language": language,
        "tracking_url": external_url("reports.tracking", token=tracking_token),
        "unsubscribe_url": external_url("notifications.unsubscribe", token=TOKEN_SLOT),
    }
    department = {"staff_url": external_url("staff.report", case_number=CASE_SLOT)}
    return {
        "mail_reporter": reporter,
        "mail_language": language,
        "mail_domain": outbox.sender_domain(),
        "mail_receipt": json.dumps(receipt),
        "mail_department": json.dumps(department),
    }


class ReportGone(LookupError):
    """The report of a mail still to be rendered was deleted (rejected as spam) meanwhile."""


def render(mail: OutboxMail) -> None:
    """Subject, bodies and headers of a mail stored with its context only; nothing for a mail
    written in full. The texts are those the request would have written."""
    context = mail.context
    if context is None:
        return
    report = db.session.get(Report, mail.report_id) if mail.report_id is not None else None
    if report is None:
        raise ReportGone("Die Meldung dieser Mail gibt es nicht mehr.")
    if mail.kind == "receipt":
        unsubscribe = context["unsubscribe_url"].replace(
            TOKEN_SLOT, tokens.sign("unsubscribe", context["subscription_id"])
        )
        written = draft(
            "receipt",
            context["language"],
            report,
            tracking_url=context["tracking_url"],
            unsubscribe_url=unsubscribe,
        )
        mail.headers = outbox.unsubscribe_headers(unsubscribe)
    else:
        staff_url = context["staff_url"].replace(CASE_SLOT, report.case_number)
        written = draft(mail.kind, "de", report, staff_url=staff_url)
    mail.subject, mail.body_text, mail.body_html = written.subject, written.text, written.html
    mail.context = None
