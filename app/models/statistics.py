from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, func
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model


class StatisticsSnapshot(Model):
    """The transparency figures, computed in the background: medians over a million reports
    take seconds, reading a snapshot takes milliseconds."""

    __tablename__ = "statistics_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    computed_at: Mapped[datetime] = mapped_column(server_default=func.now())
    figures: Mapped[dict] = mapped_column(JSON)
