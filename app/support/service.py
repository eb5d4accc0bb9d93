""" "Ich bin auch betroffen": a person supports a report once, confirmed by a link in a mail
(the double opt-in of app.notifications, with its tokens, outbox and limits). Confirming
counts the support in the report's support_count in the same transaction; only confirmed,
open-report supports by an address other than the reporter's count. Nothing here commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum

from sqlalchemy import select, update

from app.extensions import db
from app.models import Report, Support
from app.notifications import tokens
from app.notifications.service import (
    ask_confirmation,
    insert_once,
    normalise,
    subscribe_confirmed,
)
from app.reports.service import find_by_token, token_hash


class Outcome(Enum):
    """What a confirmation link did; all but COUNTED changed nothing."""

    COUNTED = "counted"
    ALREADY = "already"  # the link was used before: the support counts once
    OWN_REPORT = "own_report"  # the reporter's own report counts already
    CLOSED = "closed"  # the report was closed meanwhile: nothing to support any more
    INVALID = "invalid"  # forged, altered, expired, or the report is gone


@dataclass(frozen=True)
class Confirmation:
    outcome: Outcome
    case_number: str | None = None


def may_be_supported(report: Report) -> bool:
    """Only open reports: support tells staff what to fix first, which a closed report no
    longer needs, and the retention deletes supporters' addresses after closing, so the
    once-per-address promise could not hold for it."""
    return report.status_enum.is_open


def ask(report: Report, email: str, language: str, follow: bool) -> None:
    """The confirmation mail; the same answer for every address (known, already supporting,
    the reporter's, over its daily limit), so the page reveals nothing about anyone."""
    pending = ask_confirmation(
        Support, report, email, language, "support", "support.confirm", follow=follow
    )
    if pending is not None:
        pending.follow = follow


def confirm(token: str) -> Confirmation:
    support_id = tokens.read("support", token, tokens.CONFIRM_MAX_AGE)
    # Locked: two clicks at once (two tabs, a retried request) wait for each other, and the
    # second sees the first's confirmation instead of counting again.
    support = (
        db.session.scalar(select(Support).where(Support.id == support_id).with_for_update())
        if support_id
        else None
    )
    if support is None:
        return Confirmation(Outcome.INVALID)
    report = support.report
    case_number = report.case_number
    if support.confirmed_at is not None:
        return Confirmation(Outcome.ALREADY, case_number)
    if report.reporter_email and normalise(report.reporter_email) == support.email:
        return Confirmation(Outcome.OWN_REPORT, case_number)
    if not may_be_supported(report):
        return Confirmation(Outcome.CLOSED, case_number)
    support.confirmed_at = datetime.now(UTC)
    _count(report)
    if support.follow and support.email:
        subscribe_confirmed(report, support.email, support.language)
    return Confirmation(Outcome.COUNTED, case_number)


def as_reporter(tracking_token: str, report: Report, language: str) -> Confirmation:
    """ "Ich bin auch betroffen" from the reporter of another report, through her private
    tracking link: the link is the proof (no mail needed), and counts once per report. Her own
    report counts already; a forged link counts nothing."""
    own = find_by_token(tracking_token)
    if own is None:
        return Confirmation(Outcome.INVALID)
    if own.id == report.id:
        return Confirmation(Outcome.OWN_REPORT, report.case_number)
    if not may_be_supported(report):
        return Confirmation(Outcome.CLOSED, report.case_number)
    support = insert_once(
        Support(
            report_id=report.id,
            token_hash=token_hash(tracking_token),
            language=language,
            confirmed_at=datetime.now(UTC),
        )
    )
    if support is None:
        return Confirmation(Outcome.ALREADY, report.case_number)
    _count(report)
    return Confirmation(Outcome.COUNTED, report.case_number)


def supported_by(tracking_token: str, case_numbers: list[str]) -> set[str]:
    """Which of these reports the tracking link's owner supports already."""
    found = (
        select(Report.case_number)
        .join(Support, Support.report_id == Report.id)
        .where(Support.token_hash == token_hash(tracking_token))
        .where(Report.case_number.in_(case_numbers))
    )
    return set(db.session.scalars(found))


def _count(report: Report) -> None:
    """support_count + 1 in SQL (concurrent supports of one report add up), outside the ORM's
    version check: a support never makes a staff member's open page stale."""
    db.session.execute(
        update(Report)
        .where(Report.id == report.id)
        .values(support_count=Report.support_count + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(report, ["support_count"])
