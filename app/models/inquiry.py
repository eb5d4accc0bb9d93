"""A question staff sent a report's reporter by mail ("Rückfrage an den Meldenden")."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model
from app.models.report import Report, TimelineEvent
from app.models.user import User

# The author of the reporter's answer in the timeline (no account, no name: the person may not
# have given one, and the public page names the role, never a person).
REPORTER = "Meldende Person"


class Inquiry(Model):
    """Answered once through a link with a random token; only the token's hash is stored, so
    neither a database dump nor a log of this table opens the answer page."""

    __tablename__ = "inquiries"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    question: Mapped[str] = mapped_column(Text)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    asked_by: Mapped[str] = mapped_column(String(200))
    asked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    expires_at: Mapped[datetime]
    answered_at: Mapped[datetime | None] = mapped_column()
    # The answer is an internal note; publishing adds a public note with the text staff chose.
    answer_event_id: Mapped[int | None] = mapped_column(
        ForeignKey("timeline_events.id", ondelete="SET NULL")
    )
    published_event_id: Mapped[int | None] = mapped_column(
        ForeignKey("timeline_events.id", ondelete="SET NULL")
    )

    report: Mapped[Report] = relationship()
    asker: Mapped[User | None] = relationship()
    answer_event: Mapped[TimelineEvent | None] = relationship(foreign_keys=[answer_event_id])
    published_event: Mapped[TimelineEvent | None] = relationship(foreign_keys=[published_event_id])

    def is_open(self, now: datetime) -> bool:
        return self.answered_at is None and self.expires_at > now

    def state(self, now: datetime) -> str:
        """What staff read: offen, beantwortet, veröffentlicht or abgelaufen."""
        if self.published_event_id is not None:
            return "veröffentlicht"
        if self.answered_at is not None:
            return "beantwortet"
        return "offen" if self.expires_at > now else "abgelaufen"
