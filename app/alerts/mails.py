"""The alerts' mails, German or English: the confirmation, a new report, the daily digest.
Only what the projection lets the public see of a report goes into them."""

from __future__ import annotations

from flask import render_template
from markupsafe import Markup

from app.links import external_url
from app.notifications.compose import Draft, status_label
from app.public.projection import PublicReport

LANGUAGES = ("de", "en")
SUBJECTS = {
    "alert_confirm": {
        "de": "Bitte bestätigen: neue Meldungen für {area}",
        "en": "Please confirm: new reports for {area}",
    },
    "alert": {
        "de": "Neue Meldung in Ihrem Gebiet: {category}",
        "en": "New report in your area: {category}",
    },
    "alert_digest": {
        "de": "Neue Meldungen in Ihrem Gebiet: {count}",
        "en": "New reports in your area: {count}",
    },
}


def _draft(template: str, language: str, subject: str, **values: object) -> Draft:
    values = {"lang": language, "subject": subject, "alert": True, **values}
    return Draft(
        subject=subject,
        text=render_template(f"mail/{template}.txt", **values),
        html=render_template(f"mail/{template}.html", **values),
    )


def confirm_mail(area: str, language: str, confirm_url: str) -> Draft:
    subject = SUBJECTS["alert_confirm"][language].format(area=area)
    return _draft("alert_confirm", language, subject, area=area, confirm_url=confirm_url)


def _entry_values(report: PublicReport, language: str) -> dict[str, object]:
    return {
        "report": report,
        "lang": language,
        "status": status_label(report.status, language),
        "report_url": external_url("public.report", case_number=report.case_number),
    }


def report_mail(report: PublicReport, language: str, unsubscribe_url: str) -> Draft:
    subject = SUBJECTS["alert"][language].format(category=report.category)
    entry = entry_texts(report, language)
    return _draft("alert", language, subject, entry=entry, unsubscribe_url=unsubscribe_url)


def entry_texts(report: PublicReport, language: str) -> tuple[str, Markup]:
    """A report as a digest or an alert shows it: plain text and HTML."""
    values = _entry_values(report, language)
    return (
        render_template("mail/_alert_entry.txt", **values),
        Markup(render_template("mail/_alert_entry.html", **values)),
    )


def digest_mail(
    area: str, language: str, entries: list[tuple[str, Markup]], unsubscribe_url: str
) -> Draft:
    subject = SUBJECTS["alert_digest"][language].format(count=len(entries))
    return _draft(
        "alert_digest",
        language,
        subject,
        area=area,
        entries=entries,
        unsubscribe_url=unsubscribe_url,
    )
