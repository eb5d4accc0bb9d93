"""Who learns what: the reporter, confirmed followers and the responsible department. Called by
the services that change reports, inside their transaction; nothing here commits or sends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TypeVar

from sqlalchemy import delete, select, text
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.feedback import asking
from app.links import external_url
from app.models import Report, ResolutionFeedback, Subscription, Support
from app.notifications import tokens
from app.notifications.compose import draft
from app.notifications.outbox import enqueue, sent_recently

# A second follow request for the same address within this time sends no second mail.
CONFIRM_RESEND_AFTER = timedelta(hours=24)
# Confirmation requests one address receives in a day, over all reports and area alerts.
CONFIRMS_PER_DAY = 3
CONFIRM_KINDS = ("follow_confirm", "support_confirm", "alert_confirm")


def _unsubscribe_url(subscription: Subscription) -> str:
    token = tokens.sign("unsubscribe", subscription.id)
    return external_url("notifications.unsubscribe", token=token)


def _report_url(report: Report) -> str:
    return external_url("public.report", case_number=report.case_number)


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
    """Ask to follow a report: a confirmation mail (double opt-in)."""
    ask_confirmation(Subscription, report, email, language, "follow", "notifications.confirm")


# What a confirmation link is for: the row type (a follower or a supporter) it confirms.
Pending = TypeVar("Pending", Subscription, Support)
# Mails that ask an address to confirm something: together at most CONFIRMS_PER_DAY a day.


def ask_confirmation(
    row_type: type[Pending],
    report: Report,
    email: str,
    language: str,
    purpose: str,
    endpoint: str,
    **context: object,
) -> Pending | None:
    """The double opt-in of following and supporting: a pending row and a mail with a signed
    link (`purpose` names the token and the mail, `endpoint` the page that confirms). The
    answer to the person is the same whether or not the address is known, so it reveals
    nothing; an address gets at most CONFIRMS_PER_DAY such mails, so nobody can flood a
    stranger's inbox. Returns the row when a mail was written."""
    email = normalise(email)
    now = datetime.now(UTC)
    existing = db.session.scalar(
        select(row_type).where(row_type.report_id == report.id, row_type.email == email)
    )
    if existing is not None and existing.confirmed_at is not None:
        if isinstance(existing, Subscription):
            existing.copied_from_id = None  # asked for herself now: stays if the copy goes
        return None
    if existing is not None and now - existing.created_at < CONFIRM_RESEND_AFTER:
        return None
    if not confirmations_left(email):
        return None
    if existing is None:
        existing = insert_once(row_type(report_id=report.id, email=email, language=language))
        if existing is None:
            return None  # the same request, a moment earlier, in another worker
    existing.language, existing.created_at = language, now
    db.session.flush()
    confirm_url = external_url(endpoint, token=tokens.sign(purpose, existing.id))
    kind = f"{purpose}_confirm"
    mail = draft(kind, language, report, confirm_url=confirm_url, **context)
    enqueue(email, mail, kind, report)
    return existing


def confirmations_left(email: str) -> bool:
    """Whether the address may get another confirmation mail today. Requests for one address
    wait for each other here (a lock per address until commit), so parallel requests cannot
    all see room under the limit."""
    db.session.execute(
        text("SELECT pg_advisory_xact_lock(hashtextextended(:address, 17))"), {"address": email}
    )
    return sent_recently(email, CONFIRM_KINDS, timedelta(days=1)) < CONFIRMS_PER_DAY


def insert_once(row: Pending) -> Pending | None:
    """The row added, or None when its unique key exists already (another request won)."""
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        return None
    return row


def subscribe_confirmed(report: Report, email: str, language: str) -> None:
    """A confirmed follower without a mail of its own: the address has just been confirmed
    another way (a supporter's link). An existing request is confirmed; a race adds nothing."""
    existing = db.session.scalar(
        select(Subscription).where(Subscription.report_id == report.id, Subscription.email == email)
    )
    if existing is None:
        existing = insert_once(Subscription(report_id=report.id, email=email, language=language))
    if existing is not None and existing.confirmed_at is None:
        existing.confirmed_at = datetime.now(UTC)


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
