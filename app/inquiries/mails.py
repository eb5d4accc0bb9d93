"""The two mails of a question: to the reporter (with the answer link) and, once answered, to
the staff member who asked (without the answer: it is read in the staff area). German only,
like the answer page; written into the outbox by the service."""

from __future__ import annotations

from flask import render_template

from app.links import external_url
from app.models import Inquiry
from app.notifications.compose import Draft


def _draft(template: str, subject: str, inquiry: Inquiry, **context: object) -> Draft:
    values = {"report": inquiry.report, "inquiry": inquiry, "lang": "de", "subject": subject}
    return Draft(
        subject=subject,
        text=render_template(f"mail/{template}.txt", **values, **context),
        html=render_template(f"mail/{template}.html", **values, **context),
    )


def question(inquiry: Inquiry, token: str) -> Draft:
    subject = f"Rückfrage zu Ihrer Meldung {inquiry.report.case_number}"
    answer_url = external_url("inquiries.answer", token=token)
    return _draft("inquiry", subject, inquiry, answer_url=answer_url)


def answered(inquiry: Inquiry) -> Draft:
    subject = f"Antwort auf Ihre Rückfrage zu Meldung {inquiry.report.case_number}"
    staff_url = external_url("staff.report", case_number=inquiry.report.case_number)
    return _draft("inquiry_answered", subject, inquiry, staff_url=staff_url)
