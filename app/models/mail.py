from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model

if TYPE_CHECKING:  # report.py needs nothing from here; only the type is named
    from app.models.report import Report

MAIL_STATES = ("pending", "sending", "sent", "failed")


class OutboxMail(Model):
    """A mail written in the same transaction as the change that causes it; the worker sends it
    after that transaction has committed (transactional outbox). Its Message-ID is fixed here,
    so a mail sent again after a crash is recognisably the same mail."""

    __tablename__ = "outbox_mails"
    __table_args__ = (
        CheckConstraint(f"state IN ({', '.join(repr(s) for s in MAIL_STATES)})", name="state"),
        # The worker's question: which mails are due? Only unsent ones are in this index.
        Index(
            "ix_outbox_mails_due",
            "next_attempt_at",
            postgresql_where=text("state IN ('pending', 'sending')"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    headers: Mapped[dict] = mapped_column(JSONB, default=dict)
    # A mail the worker still has to render (app.notifications.deferred): its links and
    # language; None once subject and bodies are written. It may hold a secret tracking link.
    context: Mapped[dict | None] = mapped_column(JSONB)
    # What caused the mail (receipt, status, follow_confirm, department, …), for the admin page.
    kind: Mapped[str] = mapped_column(String(30))
    report_id: Mapped[int | None] = mapped_column(
        ForeignKey("reports.id", ondelete="SET NULL"), index=True
    )
    state: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(server_default=func.now())
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    sent_at: Mapped[datetime | None] = mapped_column()


class Subscription(Model):
    """Someone who receives a report's public updates: its reporter, or a follower who has
    confirmed by mail (double opt-in). Deleted when they unsubscribe."""

    __tablename__ = "subscriptions"
    __table_args__ = (UniqueConstraint("report_id", "email"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254))
    # "de" or "en": the language the person used when subscribing.
    language: Mapped[str] = mapped_column(String(5), default="de")
    confirmed_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    # The duplicate this follower was copied from when it was closed (see duplicate_undone).
    copied_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("reports.id", ondelete="SET NULL")
    )
    # The report's own reporter (the address given with it), not a follower: only the reporter
    # is asked "Ist der Mangel behoben?" (app.feedback).
    reporter: Mapped[bool] = mapped_column(default=False, server_default=text("false"))

    report: Mapped[Report] = relationship(foreign_keys=[report_id])
