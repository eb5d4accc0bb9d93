"""Bulk actions on the inbox and queue lists: one status, or one assignee, for the selected
reports. Each report goes through the rulebook's own function (actions.change_status,
actions.assign) with its own checks and its own timeline entry; nothing here commits, and the
first report that is refused refuses them all — the caller rolls back, so either every selected
report changes or none does."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from app.extensions import db
from app.models import Report, Status, User
from app.staff import actions
from app.staff.actions import ActionError, ChangedMeanwhile, clean_note, small_number

MAX_SELECTED = 100  # two pages of a list
NOTHING_CHANGED = "Es wurde keine Meldung geändert."
PICK = re.compile(r"(\d{4}-\d{1,14}):(\d{1,9})")


class BulkRefused(Exception):
    """A German message (naming the refused report where there is one) and the HTTP status."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Pick:
    """A ticked row: the report and the version the list showed (optimistic locking)."""

    case_number: str
    version: int | None


def parse_selection(values: list[str]) -> list[Pick]:
    """The ticked rows ("2026-000123:4" each), each report once."""
    if not values:
        raise BulkRefused("Bitte mindestens eine Meldung in der Liste ankreuzen.")
    picks: dict[str, Pick] = {}
    for value in values:
        match = PICK.fullmatch(value or "")
        if match is None:
            raise BulkRefused(f"Ungültige Auswahl. {NOTHING_CHANGED}", 400)
        picks.setdefault(match[1], Pick(match[1], small_number(match[2])))
    if len(picks) > MAX_SELECTED:
        raise BulkRefused(f"Höchstens {MAX_SELECTED} Meldungen auf einmal. {NOTHING_CHANGED}")
    return list(picks.values())


def _locked(picks: list[Pick]) -> list[tuple[Report, Pick]]:
    """The selected reports, locked in id order: two bulk actions over overlapping selections
    wait for each other instead of deadlocking, and each sees the other's versions."""
    by_case = {p.case_number: p for p in picks}
    reports = db.session.scalars(
        select(Report)
        .where(Report.case_number.in_(by_case))
        .order_by(Report.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    missing = sorted(set(by_case) - {r.case_number for r in reports})
    if missing:
        raise BulkRefused(f"Meldung {missing[0]} gibt es nicht (mehr). {NOTHING_CHANGED}", 404)
    return [(report, by_case[report.case_number]) for report in reports]


def _each(user: User, picks: list[Pick], change: Callable[[Report, int | None], None]) -> list[str]:
    """Applies `change` to every selected report; the first refusal names its report."""
    done = []
    for report, pick in _locked(picks):
        number = report.case_number
        try:
            change(report, pick.version)
        except PermissionError:
            raise BulkRefused(
                f"Meldung {number}: Dafür fehlt Ihnen die Berechtigung. {NOTHING_CHANGED}", 403
            ) from None
        except (ChangedMeanwhile, StaleDataError):
            raise BulkRefused(
                f"Meldung {number} wurde inzwischen geändert. Bitte prüfen Sie den aktuellen "
                f"Stand. {NOTHING_CHANGED}",
                409,
            ) from None
        except ActionError as refused:
            raise BulkRefused(f"Meldung {number}: {refused} {NOTHING_CHANGED}") from None
        done.append(number)
    return done


def set_status(
    user: User, picks: list[Pick], raw_status: str | None, note: str | None, public: bool
) -> tuple[Status, list[str]]:
    """The same status (and note) for every selected report, with its status mail."""
    if raw_status not in {s.value for s in Status}:
        raise BulkRefused(f"Unbekannter Status. {NOTHING_CHANGED}")
    new = Status(raw_status)
    try:
        text = clean_note(note)  # once, before any report: the note is the same for all
    except ActionError as refused:
        raise BulkRefused(f"{refused} {NOTHING_CHANGED}") from None

    def change(report: Report, version: int | None) -> None:
        actions.change_status(user, report, version, new, text, public)

    return new, _each(user, picks, change)


def assign(user: User, picks: list[Pick], raw_assignee: str | None) -> tuple[User, list[str]]:
    """The same colleague for every selected report (who must work for each one's department)."""
    number = small_number(raw_assignee)
    colleague = db.session.get(User, number) if number is not None else None
    if colleague is None:
        raise BulkRefused(f"{actions.NOT_A_COLLEAGUE} {NOTHING_CHANGED}")

    def change(report: Report, version: int | None) -> None:
        actions.assign(user, report, version, colleague)

    return colleague, _each(user, picks, change)


def statuses() -> list[Status]:
    """What the bulk form offers: every status but "duplicate", which needs its original."""
    return [s for s in Status if s != Status.DUPLICATE]


def assignable(user: User) -> list[User]:
    """Whom the user may pick: anyone active for the inbox; for a crew, the colleagues of its
    departments (each report still checks its own department)."""
    query = select(User).where(User.active).options(selectinload(User.departments))
    users = list(db.session.scalars(query.order_by(User.name)))
    if user.role in ("admin", "dispatcher"):
        return users
    mine = [d.id for d in user.departments]
    return [u for u in users if any(u.works_for(d) for d in mine)]
