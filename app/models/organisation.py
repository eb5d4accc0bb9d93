from __future__ import annotations

import secrets
import string
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model
from app.models.question import CategoryQuestion


class Department(Model):
    """A unit of the city administration that handles reports (e.g. TBS – Straßenbeleuchtung)."""

    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(50), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))


APP_ID_ALPHABET = string.ascii_letters + string.digits


def new_app_id() -> str:
    """An id in the style of Parse's objectIds (ten letters and digits)."""
    return "".join(secrets.choice(APP_ID_ALPHABET) for _ in range(10))


NOTICE_KINDS = ("emergency", "elsewhere", "info")


class Category(Model):
    """What kind of defect a report is about; carries the default department."""

    __tablename__ = "categories"
    __table_args__ = (
        CheckConstraint(
            "notice_kind IN (" + ", ".join(f"'{k}'" for k in NOTICE_KINDS) + ")",
            name="notice_kind",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(50), unique=True)
    name_de: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    icon: Mapped[str | None] = mapped_column(String(50))
    default_department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    active: Mapped[bool] = mapped_column(default=True)
    # Guidance on the report form, edited by admins: a line of help under the category, the
    # group it is shown in, and a notice shown before sending — "emergency" (call 110/112),
    # "elsewhere" (another body is responsible: whom, with a link) or "info".
    help_text: Mapped[str | None] = mapped_column(String(300))
    group_name: Mapped[str | None] = mapped_column(String(100))
    notice_kind: Mapped[str | None] = mapped_column(String(20))
    notice: Mapped[str | None] = mapped_column(String(1000))
    notice_url: Mapped[str | None] = mapped_column(String(2048))
    # The city app's objectId for this category: stored, never derived, so it stays the same
    # for every installed app however the category is renamed.
    app_id: Mapped[str] = mapped_column(String(20), unique=True, default=new_app_id)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())

    default_department: Mapped[Department] = relationship()
    questions: Mapped[list[CategoryQuestion]] = relationship(
        order_by="(CategoryQuestion.position, CategoryQuestion.id)",
        lazy="selectin",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    @property
    def name(self) -> str:
        return self.name_de


class RoutingRule(Model):
    """Sends a category in one district to another department than the category's default."""

    __tablename__ = "routing_rules"
    __table_args__ = (UniqueConstraint("category_id", "district_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id", ondelete="CASCADE"))
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id", ondelete="CASCADE"))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
