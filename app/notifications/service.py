"""Who learns what: the reporter, confirmed followers and the responsible department. Called by
the services that change reports, inside their transaction; nothing here commits or sends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.feedback import asking
from app.links import external_url
from app.models import Report, ResolutionFeedback, Subscription
from app.notifications import tokens
from app.notifications.compose import draft
from app.notifications.outbox import enqueue, sent_recently

# A second follow request for the same address within this time sends no second mail.
CONFIRM_RESEND_AFTER = timedelta(hours=24)
# Confirmation requests one address receives in a day, over all reports and area alerts.
CONFIRMS_PER_DAY = 3
CONFIRM_KINDS = ("follow_confirm", "alert_confirm")


def _unsubscribe_url(subscription: Subscription) -> str:
    token = tokens.sign("unsubscribe", subscription.id)
    return external_url("notifications.unsubscribe", token=token)


def _report_url(report: Report) -> str:
    return external_url("public.report", case_number=report.case_number)


def report_filed(report: Report, tracking_token: str, language: str) -> None:
    """A new report: the receipt for a reporter who gave an email, a mail to the department."""
    if report.reporter_email:
        reporter = Subscription(
            report_id=report.id,
            email=normalise(report.reporter_email),
            language=language,
            confirmed_at=datetime.now(UTC),
            reporter=True,
        )
        db.session.add(reporter)
        db.session.flush()
        tracking_url = external_url("reports.tracking", token=tracking_token)
        unsubscribe = _unsubscribe_url(reporter)
        mail = draft(
            "receipt", language, report, tracking_url=tracking_url, unsubscribe_url=unsubscribe
        )
        enqueue(reporter.email, mail, "receipt", report, unsubscribe)
    if report.body_id is None:  # another body handles it: nothing for our departments to do
        _to_department(report, "department")


def report_forwarded(report: Report) -> None:
    _to_department(report, "department_moved")


def report_reopened(report: Report, comment: str | None) -> None:
    """The reporter says the defect is still there: the department hears it with the report's
    staff link (the comment is the citizen's, for staff only, like the report's own text)."""
    _to_department(report, "department_reopened", comment=comment)


def _to_department(report: Report, kind: str, **context: object) -> None:
    address = report.department.email
    if not address:
        return
    staff_url = external_url("staff.report", case_number=report.case_number)
    enqueue(address, draft(kind, "de", report, staff_url=staff_url, **context), kind, report)


def report_updated(
    report: Report,
    note: str | None,
    original: Report | None = None,
    note_from: str | None = None,
    feedback: ResolutionFeedback | None = None,
) -> None:
    """A public status change (with its public note): every confirmed subscriber hears of it.
    `note_from` names the partner whose words the note is (None: the city's). With `feedback`
    (a resolution), the reporter's mail asks "Ist der Mangel behoben?" with two answer links."""
    subscribers = db.session.scalars(
        select(Subscription).where(
            Subscription.report_id == report.id, Subscription.confirmed_at.is_not(None)
        )
    )
    extra = {}
    if original is not None:
        extra = {"original_url": _report_url(original), "original_case": original.case_number}
    for subscriber in subscribers:
        unsubscribe = _unsubscribe_url(subscriber)
        # Only the reporter is asked: a follower cannot know whether it is fixed as reported.
        asked = feedback if subscriber.reporter else None
        mail = draft(
            "status",
            subscriber.language,
            report,
            note=note,
            note_from=note_from,
            report_url=_report_url(report),
            unsubscribe_url=unsubscribe,
            question=asking.question(asked) if asked is not None else None,
            **extra,
        )
        enqueue(subscriber.email, mail, "status", report, unsubscribe)


def duplicate_closed(report: Report, original: Report, note: str) -> None:
    """The duplicate's subscribers hear where to look instead, and from now on follow the
    original (no second opt-in: they asked for news of this defect)."""
    report_updated(report, note, original)
    following = set(
        db.session.scalars(select(Subscription.email).where(Subscription.report_id == original.id))
    )
    for subscriber in db.session.scalars(
        select(Subscription).where(
            Subscription.report_id == report.id, Subscription.confirmed_at.is_not(None)
        )
    ):
        if subscriber.email not in following:
            db.session.add(
                Subscription(
                    report_id=original.id,
                    email=subscriber.email,
                    language=subscriber.language,
                    confirmed_at=datetime.now(UTC),
                    copied_from_id=report.id,
                )
            )


def duplicate_undone(report: Report, original: Report) -> None:
    """The duplicate was taken back: the followers its closing copied onto the original follow
    only the duplicate again."""
    db.session.execute(
        delete(Subscription).where(
            Subscription.report_id == original.id, Subscription.copied_from_id == report.id
        )
    )


def normalise(address: str) -> str:
    """One spelling per mailbox: "Opfer@Example.org" and "opfer@example.org" are one person."""
    return address.strip().lower()


def follow(report: Report, email: str, language: str) -> None:
    """Ask to follow a report: a confirmation mail (double opt-in). The answer to the person is
    the same whether or not the address already follows, so it reveals nothing; an address gets
    at most CONFIRMS_PER_DAY confirmation requests, so nobody can flood a stranger's inbox."""
    email = normalise(email)
    now = datetime.now(UTC)
    existing = db.session.scalar(
        select(Subscription).where(Subscription.report_id == report.id, Subscription.email == email)
    )
    if existing is not None and existing.confirmed_at is not None:
        existing.copied_from_id = None  # asked for herself now: stays if the copy goes
        return
    if existing is not None and now - existing.created_at < CONFIRM_RESEND_AFTER:
        return
    if sent_recently(email, CONFIRM_KINDS, timedelta(days=1)) >= CONFIRMS_PER_DAY:
        return
    if existing is None:
        existing = _new_subscription(report, email, language)
        if existing is None:
            return  # the same request, a moment earlier, in another worker
    existing.language, existing.created_at = language, now
    db.session.flush()
    token = tokens.sign("follow", existing.id)
    confirm_url = external_url("notifications.confirm", token=token)
    mail = draft("follow_confirm", language, report, confirm_url=confirm_url)
    enqueue(email, mail, "follow_confirm", report)


def _new_subscription(report: Report, email: str, language: str) -> Subscription | None:
    subscription = Subscription(report_id=report.id, email=email, language=language)
    try:
        with db.session.begin_nested():
            db.session.add(subscription)
    except IntegrityError:
        return None
    return subscription


def confirm(token: str) -> Subscription | None:
    subscription_id = tokens.read("follow", token, tokens.CONFIRM_MAX_AGE)
    subscription = db.session.get(Subscription, subscription_id) if subscription_id else None
    if subscription is not None and subscription.confirmed_at is None:
        subscription.confirmed_at = datetime.now(UTC)
    return subscription


def unsubscribe(token: str) -> Subscription | None:
    """Ends the subscription the link names; None when the link is forged or already used."""
    subscription_id = tokens.read("unsubscribe", token)
    subscription = db.session.get(Subscription, subscription_id) if subscription_id else None
    if subscription is not None:
        db.session.delete(subscription)
    return subscription


def send_tracking_link(report: Report, tracking_url: str, address: str, language: str) -> None:
    """The private link, once, to an address typed after filing (the reporter gave none with the
    report, or another one). The address is not kept: no subscription, no updates."""
    mail = draft("tracking_link", language, report, tracking_url=tracking_url)
    enqueue(address, mail, "tracking_link", report)
