from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model
from app.models.organisation import Category

# What a template may name; anything else in braces stays as written.
PLACEHOLDERS = ("vorgangsnummer", "ort", "kategorie")


class ResponseTemplate(Model):
    """A Textbaustein for the public note: offered where its category and status fit (none
    set: everywhere), with {vorgangsnummer}, {ort} and {kategorie} filled in for the report."""

    __tablename__ = "response_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(String(2000))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id", ondelete="CASCADE"))
    status: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())

    category: Mapped[Category | None] = relationship()
