from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model


class RequestKey(Model):
    """A staff action that took effect, by the key its form carried (app/staff/replay.py). A
    form sent twice — a double tap, a reload, a phone replaying what it queued offline after an
    answer was lost — finds its key here and is answered as done instead of acting again.
    Stored in the action's own transaction, so a key exists exactly when its action does."""

    __tablename__ = "staff_request_keys"
    # Per person: a key guessed or copied from someone else's form stays theirs.
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[uuid.UUID] = mapped_column()
    case_number: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(40))
    # The report's version right after the action: a phone that queued several changes on one
    # report puts the next one on top of this (its own change), not on the page it saw.
    version_after: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(server_default=func.now(), index=True)
