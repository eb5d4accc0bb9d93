"""The texts of the mails, German or English, as plain text and HTML. Rendered when the mail
is written to the outbox (inside the request that causes it), so the worker only sends."""

from __future__ import annotations

from dataclasses import dataclass

from flask import render_template

from app.models import Report, Status

SUBJECTS = {
    "receipt": {
        "de": "Ihre Meldung {case} ist eingegangen",
        "en": "Your report {case} has been received",
    },
    "status": {"de": "Meldung {case}: {status}", "en": "Report {case}: {status}"},
    "follow_confirm": {
        "de": "Bitte bestätigen: Meldung {case} folgen",
        "en": "Please confirm: follow report {case}",
    },
    "support_confirm": {
        "de": "Bitte bestätigen: Auch betroffen von Meldung {case}",
        "en": "Please confirm: also affected by report {case}",
    },
    "department": {"de": "Neue Meldung {case}: {category}", "en": "New report {case}: {category}"},
    "tracking_link": {
        "de": "Ihr Link zur Meldung {case}",
        "en": "Your link to report {case}",
    },
    "department_moved": {
        "de": "Meldung {case} an Sie weitergeleitet: {category}",
        "en": "Report {case} forwarded to you: {category}",
    },
    "department_reopened": {
        "de": "Meldung {case} wieder offen: {category}",
        "en": "Report {case} reopened: {category}",
    },
}
STATUS_EN = {
    Status.RECEIVED: "Received",
    Status.ACCEPTED: "Under review",
    Status.IN_PROGRESS: "In progress",
    Status.RESOLVED: "Resolved",
    Status.NOT_RESPONSIBLE: "Not responsible / forwarded",
    Status.DUPLICATE: "Duplicate",
    Status.WONT_FIX: "Cannot be fixed",
    Status.REOPENED: "Reopened",
}


@dataclass(frozen=True)
class Draft:
    subject: str
    text: str
    html: str


def status_label(status: str, language: str) -> str:
    return STATUS_EN[Status(status)] if language == "en" else Status(status).label


def draft(kind: str, language: str, report: Report, **context: object) -> Draft:
    language = language if language in ("de", "en") else "de"
    values = {
        "report": report,
        "lang": language,
        "status": status_label(report.status, language),
        **context,
    }
    subject = SUBJECTS[kind][language].format(
        case=report.case_number, status=values["status"], category=report.category.name
    )
    template = "department" if kind == "department_moved" else kind
    values["moved"] = kind == "department_moved"
    return Draft(
        subject=subject,
        text=render_template(f"mail/{template}.txt", subject=subject, **values),
        html=render_template(f"mail/{template}.html", subject=subject, **values),
    )
