"""Admin changes as plain functions: they change and flush, never commit (the view commits once).

A refused change raises AdminError with a German message; the view rolls back, so nothing
is half-saved.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import IO, NamedTuple, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import defer, joinedload, selectinload

from app.auth.passwords import password_problem
from app.auth.service import AccountError, create_user, departments_by_code
from app.auth.throttle import forget_name
from app.districts.service import (
    DistrictImportError,
    ImportResult,
    import_districts,
    parse_geojson,
)
from app.extensions import db
from app.models import (
    ApiKey,
    Body,
    Category,
    CategoryQuestion,
    Department,
    District,
    ExchangeJob,
    MapCell,
    Report,
    RoutingRule,
    User,
)
from app.models.map_cell import COARSEST_LEVEL
from app.models.status import OPEN_STATUSES
from app.models.user import ROLES
from app.open311.filing import KeyNameTaken, create_api_key

M = TypeVar("M")


class AdminError(ValueError):
    """A German message for the admin; the change is refused as a whole."""


def counts() -> dict[str, int]:
    """How many of each thing there are, for the overview page."""
    models = {
        "users": User,
        "departments": Department,
        "categories": Category,
        "routing_rules": RoutingRule,
        "districts": District,
        "api_keys": ApiKey,
        "bodies": Body,
    }
    return {
        key: db.session.scalar(select(func.count()).select_from(model)) or 0
        for key, model in models.items()
    }


# --- accounts -----------------------------------------------------------------------------------


def users() -> list[User]:
    return list(
        db.session.scalars(
            select(User).options(joinedload(User.departments)).order_by(User.name, User.id)
        ).unique()
    )


def create_account(
    email: str, password: str, role: str, department_codes: list[str], name: str
) -> User:
    """The same checks as `flask users create`."""
    try:
        return create_user(email, password, role, department_codes, name)
    except AccountError as exc:
        raise AdminError(str(exc)) from exc


def update_account(
    actor: User, user: User, name: str, role: str, department_codes: list[str]
) -> None:
    if role not in ROLES:
        raise AdminError(f"Unbekannte Rolle „{role}“.")
    # Keeps at least one admin: the one making the change.
    if user.id == actor.id and role != "admin":
        raise AdminError("Sie können sich nicht selbst die Rolle admin entziehen.")
    try:
        departments = departments_by_code(department_codes)
    except AccountError as exc:
        raise AdminError(str(exc)) from exc
    if role == "crew" and not departments:
        raise AdminError("Ein Konto der Rolle crew braucht mindestens eine Abteilung.")
    user.name = name
    user.role = role
    user.departments = departments
    db.session.flush()


def set_active(actor: User, user: User, active: bool) -> None:
    """A disabled account is logged out at its next request and cannot log in."""
    if user.id == actor.id and not active:
        raise AdminError("Sie können Ihr eigenes Konto nicht sperren.")
    user.active = active
    db.session.flush()


def reset_password(user: User, password: str) -> None:
    """New password; every session of the account ends (session_version changes)."""
    problem = password_problem(password, [user.email, user.name])
    if problem:
        raise AdminError(problem)
    user.set_password(password)
    # The admin has just confirmed who may use the account: a wait would only get in the way.
    forget_name(user.email)
    db.session.flush()


# --- departments and categories -----------------------------------------------------------------


def create_department(code: str, name: str, email: str | None) -> Department:
    if db.session.scalar(select(Department.id).where(Department.code == code)):
        raise AdminError(f"Es gibt schon eine Abteilung mit dem Code „{code}“.")
    department = Department(code=code, name=name, email=email or None)
    db.session.add(department)
    db.session.flush()
    return department


def update_department(department: Department, name: str, email: str | None) -> None:
    department.name = name
    department.email = email or None
    db.session.flush()


@dataclass
class CategoryData:
    name_de: str
    name_en: str | None
    icon: str | None
    department_id: int
    active: bool
    group_name: str | None = None
    help_text: str | None = None
    notice_kind: str | None = None
    notice: str | None = None
    notice_url: str | None = None


def categories() -> list[Category]:
    return list(
        db.session.scalars(
            select(Category)
            .options(joinedload(Category.default_department))
            .order_by(Category.name_de)
        )
    )


def create_category(code: str, data: CategoryData) -> Category:
    if db.session.scalar(select(Category.id).where(Category.code == code)):
        raise AdminError(f"Es gibt schon eine Kategorie mit dem Code „{code}“.")
    category = Category(code=code)
    _fill_category(category, data)
    db.session.add(category)
    db.session.flush()
    return category


def update_category(category: Category, data: CategoryData) -> None:
    _fill_category(category, data)
    db.session.flush()


def _fill_category(category: Category, data: CategoryData) -> None:
    department = db.session.get(Department, data.department_id)
    if department is None:
        raise AdminError("Diese Abteilung gibt es nicht (mehr).")
    category.name_de = data.name_de
    category.name_en = data.name_en or None
    category.icon = data.icon or None
    category.default_department = department
    category.active = data.active
    category.group_name, category.help_text = data.group_name or None, data.help_text or None
    category.notice_kind = data.notice_kind or None
    category.notice = data.notice or None if data.notice_kind else None
    category.notice_url = data.notice_url or None if data.notice_kind else None


# --- routing rules ------------------------------------------------------------------------------


class RuleRow(NamedTuple):
    rule: RoutingRule
    category: Category
    district: District
    department: Department


def routing_rules() -> list[RuleRow]:
    rows = db.session.execute(
        select(RoutingRule, Category, District, Department)
        .join(Category, Category.id == RoutingRule.category_id)
        .join(District, District.id == RoutingRule.district_id)
        .join(Department, Department.id == RoutingRule.department_id)
        .order_by(Category.name_de, District.name)
    )
    return [RuleRow(*row) for row in rows]


def add_routing_rule(category_id: int, district_id: int, department_id: int) -> RoutingRule:
    category = _existing(Category, category_id, "Diese Kategorie gibt es nicht (mehr).")
    district = _existing(District, district_id, "Diesen Stadtbezirk gibt es nicht (mehr).")
    _existing(Department, department_id, "Diese Abteilung gibt es nicht (mehr).")
    taken = db.session.scalar(
        select(RoutingRule.id).where(
            RoutingRule.category_id == category_id, RoutingRule.district_id == district_id
        )
    )
    if taken:
        raise AdminError(
            f"Für „{category.name_de}“ in „{district.name}“ gibt es schon eine Regel. "
            "Bitte löschen Sie sie zuerst, wenn eine andere Abteilung zuständig sein soll."
        )
    rule = RoutingRule(
        category_id=category_id, district_id=district_id, department_id=department_id
    )
    db.session.add(rule)
    db.session.flush()
    return rule


def delete_routing_rule(rule: RoutingRule) -> None:
    db.session.delete(rule)
    db.session.flush()


def _existing(model: type[M], key: int, message: str) -> M:
    found = db.session.get(model, key)
    if found is None:
        raise AdminError(message)
    return found


# --- districts ----------------------------------------------------------------------------------


def districts_with_report_counts() -> list[tuple[District, int]]:
    # From the map rollup (kept exact by its trigger): a million reports are not counted again.
    counts = (
        select(MapCell.district_id, func.sum(MapCell.n).label("n"))
        .where(MapCell.level == COARSEST_LEVEL)
        .group_by(MapCell.district_id)
        .subquery()
    )
    rows = db.session.execute(
        select(District, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.district_id == District.id)
        .order_by(District.name)
    )
    return [(district, int(count)) for district, count in rows]


def read_upload(stream: IO[bytes], limit: int) -> bytes:
    """The uploaded file, refused when empty or larger than `limit` bytes."""
    raw = stream.read(limit + 1)
    if len(raw) > limit:
        megabytes = f"{limit / 1024 / 1024:.1f}".replace(".", ",")
        raise DistrictImportError([f"Die Datei ist größer als {megabytes} MB."])
    if not raw.strip():
        raise DistrictImportError(["Die Datei ist leer."])
    return raw


def upload_districts(
    raw: bytes, name_field: str, code_field: str, replace: bool, repair: bool
) -> tuple[ImportResult, list[str]]:
    """Exactly the checks and the import of `flask districts import`: all or nothing."""
    found, repaired = parse_geojson(raw, name_field, code_field, repair)
    return import_districts(found, replace=replace), repaired


# --- API keys -----------------------------------------------------------------------------------


def api_keys() -> list[ApiKey]:
    return list(db.session.scalars(select(ApiKey).order_by(ApiKey.active.desc(), ApiKey.id)))


def new_api_key(name: str, can_update: bool) -> tuple[ApiKey, str]:
    """The key and its plain text, which is shown once and stored only as a hash."""
    try:
        return create_api_key(name, can_update)
    except KeyNameTaken as exc:
        raise AdminError(str(exc)) from exc


def revoke_api_key(api_key: ApiKey) -> None:
    """Reports filed with the key stay; the key files no more."""
    api_key.active = False
    db.session.flush()


# --- other bodies -------------------------------------------------------------------------------


class BodyRow(NamedTuple):
    body: Body
    has_area: bool


def body_rows() -> list[BodyRow]:
    """Every body without its area: a Kommune's boundary can be megabytes, the list says only
    whether there is one."""
    rows = db.session.execute(
        select(Body, Body.area.is_not(None))
        .options(defer(Body.area), selectinload(Body.categories), joinedload(Body.partner_key))
        .order_by(Body.name)
    )
    return [BodyRow(body, bool(has_area)) for body, has_area in rows]


def partner_key_names() -> list[str]:
    return list(db.session.scalars(select(ApiKey.name).where(ApiKey.active).order_by(ApiKey.name)))


def read_area(stream: IO[bytes], limit: int) -> bytes:
    """The uploaded area, refused when empty, too large or no JSON at all (the JSON module's
    own message is English); add_body checks that it holds polygons."""
    try:
        raw = read_upload(stream, limit)
    except DistrictImportError as exc:
        raise AdminError(" ".join(exc.messages)) from exc
    try:
        json.loads(raw)
    except (ValueError, RecursionError):
        raise AdminError("Die Datei ist kein gültiges GeoJSON.") from None
    return raw


def body_ties(body: Body) -> tuple[int, int]:
    """What removing the body touches: its forwarding jobs (deleted with it) and the open
    reports it handles (they come back to our queues)."""
    jobs = db.session.scalar(
        select(func.count()).select_from(ExchangeJob).where(ExchangeJob.body_id == body.id)
    )
    reports = db.session.scalar(
        select(func.count())
        .select_from(Report)
        .where(Report.body_id == body.id, Report.status.in_(OPEN_STATUSES))
    )
    return jobs or 0, reports or 0


# --- extra questions of a category --------------------------------------------------------------


@dataclass
class QuestionData:
    label: str
    code: str
    kind: str
    required: bool
    choices: list[str]
    hint: str | None


def add_question(category: Category, data: QuestionData) -> CategoryQuestion:
    """A new question, asked after the category's others; its code is unique in the category."""
    if any(q.code == data.code for q in category.questions):
        raise AdminError(f"Diese Kategorie hat schon eine Frage mit dem Code „{data.code}“.")
    question = CategoryQuestion(
        code=data.code,
        label=data.label,
        kind=data.kind,
        required=data.required,
        choices=data.choices,
        hint=data.hint or None,
        position=max((q.position for q in category.questions), default=0) + 1,
    )
    category.questions.append(question)
    db.session.flush()
    return question


def remove_question(category: Category, question_id: int) -> None:
    """Stored answers keep their label: a report filed with the question still reads right."""
    question = next((q for q in category.questions if q.id == question_id), None)
    if question is None:
        raise AdminError("Diese Frage gibt es nicht (mehr).")
    category.questions.remove(question)
    db.session.flush()
