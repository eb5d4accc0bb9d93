"""The reporter's answer to "Ist der Mangel behoben?" after a resolution (app.feedback)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model
from app.models.report import Report, TimelineEvent

ANSWERS = ("confirmed", "reopened")


class ResolutionFeedback(Model):
    """One resolution the reporter was asked about, and their answer once given. Written when
    the status mail with the question goes out; the mailed links name this row, so a link
    answers only its own resolution, and only once. No personal data: the statistics read it."""

    __tablename__ = "resolution_feedback"
    __table_args__ = (
        CheckConstraint(f"answer IN ({', '.join(repr(a) for a in ANSWERS)})", name="answer"),
        # The statistics per department and period of resolution.
        Index("ix_resolution_feedback_resolved_at", "resolved_at", "department_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    # The department that resolved it (a report may move on later).
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    resolved_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    answer: Mapped[str | None] = mapped_column(String(10))
    answered_at: Mapped[datetime | None] = mapped_column()
    # The reporter's comment to a "Nein" (an internal note): deleted with the contact data.
    comment_event_id: Mapped[int | None] = mapped_column(
        ForeignKey("timeline_events.id", ondelete="SET NULL")
    )

    # The public note the inbox made of the comment, in its words (at most one).
    published_event_id: Mapped[int | None] = mapped_column(
        ForeignKey("timeline_events.id", ondelete="SET NULL")
    )

    report: Mapped[Report] = relationship()
    comment_event: Mapped[TimelineEvent | None] = relationship(foreign_keys=[comment_event_id])
    published_event: Mapped[TimelineEvent | None] = relationship(foreign_keys=[published_event_id])
