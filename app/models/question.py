from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model

# text: one line; number: a number (decimal comma allowed); choice: one of `choices`.
QUESTION_KINDS = ("text", "number", "choice")


class CategoryQuestion(Model):
    """An extra question an admin adds to a category ("Nummer der Laterne"); the answers are
    stored with the report, shown to staff and offered to Open311 clients as attributes."""

    __tablename__ = "category_questions"
    __table_args__ = (
        UniqueConstraint("category_id", "code"),
        CheckConstraint(
            "kind IN (" + ", ".join(f"'{k}'" for k in QUESTION_KINDS) + ")", name="question_kind"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id", ondelete="CASCADE"))
    # The Open311 attribute code: stable for clients while the label may be reworded.
    code: Mapped[str] = mapped_column(String(50))
    label: Mapped[str] = mapped_column(String(200))
    hint: Mapped[str | None] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(10))
    required: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    choices: Mapped[list[str]] = mapped_column(
        ARRAY(String(100)), default=list, server_default=text("'{}'")
    )
    position: Mapped[int] = mapped_column(default=0, server_default=text("0"))
