from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model

if TYPE_CHECKING:  # report.py needs nothing from here; only the type is named
    from app.models.report import Report


class Support(Model):
    """ "Ich bin auch betroffen": a person who asked, and then confirmed by mail (double opt-in),
    that a report concerns them too. Only confirmed rows count, once each: the unique pair
    guards doubles even when two requests race. The address is personal data: never shown to
    anyone, deleted by the retention (app.privacy) — the report's support_count keeps the
    number."""

    __tablename__ = "supports"
    __table_args__ = (
        UniqueConstraint("report_id", "email"),
        # Named: the convention would give it the name of the (report_id, email) one.
        UniqueConstraint("report_id", "token_hash", name="uq_supports_report_id_token_hash"),
        CheckConstraint("email IS NOT NULL OR token_hash IS NOT NULL", name="who"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    # The supporter's address (confirmed by mail), or, for the reporter of another report who
    # supports through her tracking link, that link's hash: one support per person either way.
    email: Mapped[str | None] = mapped_column(String(254))
    token_hash: Mapped[str | None] = mapped_column(String(64))
    # "de" or "en": the language of the confirmation mail and, with `follow`, of the updates.
    language: Mapped[str] = mapped_column(String(5), default="de")
    # The person also asked for the report's updates: confirming subscribes them, too.
    follow: Mapped[bool] = mapped_column(default=False)
    confirmed_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())

    report: Mapped[Report] = relationship()
