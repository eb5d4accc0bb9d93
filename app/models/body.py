"""Other bodies ("Zuständige Stellen": neighbouring Kommunen, Straßen.NRW, Stadtwerke …) and the
jobs that forward reports to them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from geoalchemy2 import Geometry
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model, db
from app.models.api_key import ApiKey
from app.models.organisation import Category
from app.models.status import sql_in

if TYPE_CHECKING:
    from app.models.report import Report

# The categories a body is responsible for (none listed: every category, within its area).
body_categories = Table(
    "body_categories",
    db.metadata,
    Column("body_id", ForeignKey("bodies.id", ondelete="CASCADE"), primary_key=True),
    Column("category_id", ForeignKey("categories.id", ondelete="CASCADE"), primary_key=True),
)


class Body(Model):
    """Another Kommune or authority that takes reports: by area (a point over the city line), by
    category (a category rule naming a body), or when staff forward a report to it."""

    __tablename__ = "bodies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    # The contact address; the e-mail transport sends the report here.
    email: Mapped[str | None] = mapped_column(String(254))
    # The Open311 transport: their endpoint, the key they gave us, their jurisdiction id.
    open311_url: Mapped[str | None] = mapped_column(String(2048))
    # A secret of theirs that we must send in clear: never shown on a page or in a list.
    open311_key: Mapped[str | None] = mapped_column(String(200))
    jurisdiction: Mapped[str | None] = mapped_column(String(100))
    # Our category code -> their service code, read from their `services` list.
    service_codes: Mapped[dict[str, str]] = mapped_column(JSONB, default=dict, server_default="{}")
    area = mapped_column(Geometry("MULTIPOLYGON", srid=4326, spatial_index=True), nullable=True)
    # The key this body uses at our Open311 endpoint: it may post updates to reports sent to it.
    partner_key_id: Mapped[int | None] = mapped_column(
        ForeignKey("api_keys.id", ondelete="SET NULL")
    )
    # Their updates are read up to this moment (their clock, as they reported it).
    synced_until: Mapped[datetime | None] = mapped_column()
    # The last sync: when it ran, and why it failed (None: it worked), for the admin page.
    synced_at: Mapped[datetime | None] = mapped_column()
    sync_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())

    categories: Mapped[list[Category]] = relationship(
        secondary=body_categories, order_by=Category.code
    )
    partner_key: Mapped[ApiKey | None] = relationship()

    @property
    def transport(self) -> str:
        return "open311" if self.open311_url else "email"

    def __repr__(self) -> str:
        return f"<Body {self.id} {self.name}>"


class JobState(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    RETRY = "retry"
    DONE = "done"
    FAILED = "failed"


class ExchangeJob(Model):
    """Forwarding one report to one body: written in the transaction that decides it, done by
    the exchange worker (claim with a lease, send, record the remote id) exactly once."""

    __tablename__ = "exchange_jobs"
    __table_args__ = (
        CheckConstraint(f"state IN ({sql_in(JobState)})", name="state"),
        # A report goes to a body once: a second click or a retried request finds this job.
        UniqueConstraint("report_id", "body_id"),
        # The worker's walk: the few jobs that are due.
        Index(
            "ix_exchange_jobs_due",
            "run_after",
            postgresql_where=text("state IN ('pending', 'retry', 'running')"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(10), default=JobState.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    # Due from this moment; while running, the end of the lease (then another worker may take it).
    run_after: Mapped[datetime] = mapped_column(server_default=func.now())
    last_error: Mapped[str | None] = mapped_column(Text)
    # Their id for the report (Open311 service_request_id, a mail's Message-ID).
    remote_id: Mapped[str | None] = mapped_column(String(200))
    # Why staff forwarded it (public, on the timeline too); None for routing.
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    done_at: Mapped[datetime | None] = mapped_column()

    body: Mapped[Body] = relationship()
    report: Mapped[Report] = relationship()
