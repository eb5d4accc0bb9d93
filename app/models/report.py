from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from geoalchemy2 import Geometry
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Computed,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from app.extensions import Model
from app.models.body import Body
from app.models.district import District
from app.models.organisation import Category, Department
from app.models.status import OPEN_STATUSES, Channel, EventKind, Status, sql_in
from app.models.user import User

# Web-Mercator pixel coordinates at zoom 20 (2^28 pixels around the world). Clustering a map
# at zoom z groups reports whose coordinates agree after a right shift by (26 - z): 64-px cells.
WORLD_PIXELS = 268435456
PX_SQL = f"floor((ST_X(location) + 180) / 360 * {WORLD_PIXELS})::int"
PY_SQL = (
    "floor((1 - ln(tan(radians(LEAST(85.0511, GREATEST(-85.0511, ST_Y(location))))) "
    "+ 1 / cos(radians(LEAST(85.0511, GREATEST(-85.0511, ST_Y(location)))))) / pi()) / 2 "
    f"* {WORLD_PIXELS})::int"
)


class Report(Model):
    """A defect reported by a citizen. Reporter fields are personal data: staff and tracker only."""

    __tablename__ = "reports"
    __table_args__ = (
        CheckConstraint(f"status IN ({sql_in(Status)})", name="status"),
        CheckConstraint(f"channel IN ({sql_in(Channel)})", name="channel"),
        CheckConstraint("priority BETWEEN 0 AND 2", name="priority"),
        CheckConstraint("support_count >= 0", name="support_count"),
        # A period with one more filter has no map rollup: these make it an index-only scan.
        Index(
            "ix_reports_status_created",
            "status",
            "created_at",
            postgresql_include=["px", "py", "category_id", "district_id"],
        ),
        Index(
            "ix_reports_category_created",
            "category_id",
            "created_at",
            postgresql_include=["px", "py", "status", "district_id"],
        ),
        Index(
            "ix_reports_district_created",
            "district_id",
            "created_at",
            postgresql_include=["px", "py", "status", "category_id"],
        ),
        # Covers the map's period queries, so they need no table access at all.
        Index(
            "ix_reports_created_cover",
            "created_at",
            postgresql_include=["px", "py", "category_id", "district_id", "status"],
        ),
        # Place and time in one GiST index (btree_gist): Open311's bbox and radius filters
        # within a period read only the matching rows.
        Index("ix_reports_location_created", "location", "created_at", postgresql_using="gist"),
        # The queues sort open reports by urgency or by distance: partial indexes hold only the
        # open ones, so neither sort has to walk past the many closed reports.
        Index(
            "ix_reports_open_priority",
            text("priority DESC"),
            "created_at",
            "id",
            postgresql_where=text(f"status IN ({sql_in(OPEN_STATUSES)})"),
        ),
        Index(
            "ix_reports_open_location",
            "location",
            postgresql_using="gist",
            postgresql_where=text(f"status IN ({sql_in(OPEN_STATUSES)})"),
        ),
        # A crew's queue: its department's open reports, oldest first (also the walk behind
        # its district and category filters).
        Index(
            "ix_reports_open_department",
            "department_id",
            "created_at",
            "id",
            # The navigation's count of open reports no other body handles, from the index
            # alone: 14 ms instead of 106 (20,000 heap pages) at 1M reports.
            postgresql_include=["body_id"],
            postgresql_where=text(f"status IN ({sql_in(OPEN_STATUSES)})"),
        ),
        # The default filter adds the reports resolved in the last 30 days to the open ones:
        # the map counts a month's closures from this index alone (every report in the table
        # is public; the map needs its place, category and district).
        Index(
            "ix_reports_resolved_closed",
            "closed_at",
            postgresql_include=["px", "py", "category_id", "district_id"],
            postgresql_where=text(f"status = '{Status.RESOLVED.value}'"),
        ),
        # The list's "meiste Unterstützung": walked backwards, most supported first and newest
        # first among equals, stopping after a page (keyset on all three columns).
        Index("ix_reports_support_order", "support_count", "created_at", "id"),
        # The inbox: the few unchecked reports, oldest first.
        Index(
            "ix_reports_unpublished_created",
            "created_at",
            "id",
            postgresql_where=text("published_at IS NULL"),
        ),
        # Few reports are duplicates: a partial index keeps deleting an original cheap.
        Index(
            "ix_reports_duplicate_of_id",
            "duplicate_of_id",
            postgresql_where=text("duplicate_of_id IS NOT NULL"),
        ),
        # The inbox's jobs that crews sent back: few at any time.
        Index(
            "ix_reports_returned",
            "returned_at",
            "id",
            postgresql_where=text("returned_at IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    case_number: Mapped[str] = mapped_column(String(20), unique=True)
    location = mapped_column(Geometry("POINT", srid=4326, spatial_index=True), nullable=False)
    # Loaded with the report, for pages and APIs that show the place as numbers.
    lat: Mapped[float] = column_property(func.ST_Y(location))
    lon: Mapped[float] = column_property(func.ST_X(location))
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"))
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    # The citizen's own words when staff redacted personal data out of `description`: staff only.
    original_description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=Status.RECEIVED)
    channel: Mapped[str] = mapped_column(String(10), default=Channel.WEB)
    # Text and photos are public only from this moment (moderated publishing).
    published_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    # Indexed for Open311's updated_after/updated_before.
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), index=True)
    # For the statistics: the first staff reaction and the moment the report was closed.
    first_reaction_at: Mapped[datetime | None] = mapped_column()
    closed_at: Mapped[datetime | None] = mapped_column()
    # The place in the reporter's words (the city app's address line): for staff.
    place_text: Mapped[str | None] = mapped_column(String(300))
    # The public place description: the nearest address within 50 m, else the street, else
    # the Stadtteil (app.addresses.places), set when the report is filed.
    address: Mapped[str | None] = mapped_column(String(300))
    # The answers to the category's extra questions as asked when filed: [{code, label,
    # value}], so they keep their meaning when a question is reworded or removed. Staff only.
    answers: Mapped[list[dict[str, str]] | None] = mapped_column(JSONB)
    # A link sent through Open311 (media_url): kept as given, never fetched by the server.
    media_url: Mapped[str | None] = mapped_column(String(2048))
    # 0 normal, 1 hoch, 2 dringend; set by staff.
    priority: Mapped[int] = mapped_column(default=0, server_default="0")
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # A closed duplicate points to the report that is being worked on instead.
    duplicate_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("reports.id", ondelete="SET NULL")
    )
    # The Open311 key that filed the report: that partner may post updates to it. No index:
    # keys are revoked, never deleted, so nothing looks reports up by key.
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id", ondelete="SET NULL"))
    # Another body handles the report (routing or staff forwarded it): not in our queues.
    body_id: Mapped[int | None] = mapped_column(ForeignKey("bodies.id", ondelete="SET NULL"))
    # The reporter agreed that their contact data may go to that body with the report.
    share_consent: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    # A crew sent the job back to the central inbox ("Zurück an die Leitstelle"), with its
    # reason, until a dispatcher moves it to another department or leaves it where it is
    # (app.staff.returns). Staff only.
    returned_at: Mapped[datetime | None] = mapped_column()
    return_reason: Mapped[str | None] = mapped_column(Text)
    # Confirmed "Ich bin auch betroffen" (app.support), kept here in the transaction that
    # confirms one, so that lists sort by it and cards show it without counting rows. Not part
    # of the optimistic locking: a citizen's support never makes a staff change stale.
    support_count: Mapped[int] = mapped_column(default=0, server_default="0")
    # Optimistic locking: a change made on an outdated page is refused, not lost.
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    px: Mapped[int] = mapped_column(Integer, Computed(PX_SQL, persisted=True))
    py: Mapped[int] = mapped_column(Integer, Computed(PY_SQL, persisted=True))

    reporter_name: Mapped[str | None] = mapped_column(String(200))
    reporter_email: Mapped[str | None] = mapped_column(String(254))
    reporter_phone: Mapped[str | None] = mapped_column(String(50))
    # Only hashes are stored: the tracking token is a secret, the submission key dedupes retries.
    tracking_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    submission_key_hash: Mapped[str | None] = mapped_column(String(64), unique=True)

    category: Mapped[Category] = relationship()
    district: Mapped[District] = relationship()
    department: Mapped[Department] = relationship()
    assignee: Mapped[User | None] = relationship()
    body: Mapped[Body | None] = relationship()
    duplicate_of: Mapped[Report | None] = relationship(remote_side=[id])
    # The database deletes photos and events with their report (ON DELETE CASCADE).
    photos: Mapped[list[Photo]] = relationship(
        back_populates="report", order_by="Photo.id", cascade="all", passive_deletes=True
    )
    events: Mapped[list[TimelineEvent]] = relationship(
        back_populates="report",
        order_by="TimelineEvent.created_at, TimelineEvent.id",
        cascade="all",
        passive_deletes=True,
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    @property
    def status_enum(self) -> Status:
        return Status(self.status)

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class RejectedReport(Model):
    """What remains of a report rejected as spam or abuse. The report itself is deleted, so it
    drops out of every public output (map rollups included) by construction. Until the next
    day's purge `snapshot` keeps the report's rows (the reporter's data among them, staff only)
    so the rejection can be taken back; then only this record stays. The tracking link answers
    that it was not accepted."""

    __tablename__ = "rejected_reports"
    __table_args__ = (CheckConstraint("reason IN ('spam', 'abuse')", name="reason"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    case_number: Mapped[str] = mapped_column(String(20), unique=True)
    reason: Mapped[str] = mapped_column(String(10))
    note: Mapped[str | None] = mapped_column(Text)
    # Kept as evidence of the abuse, for staff only.
    description: Mapped[str] = mapped_column(Text)
    category_name: Mapped[str] = mapped_column(String(200))
    tracking_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    reported_at: Mapped[datetime]
    rejected_at: Mapped[datetime] = mapped_column(server_default=func.now())
    rejected_by: Mapped[str] = mapped_column(String(200))
    rejected_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The report as it was (row, timeline, photos), so a rejection can be taken back the same
    # day; its photo files stay until then. `flask privacy purge` clears it the next day.
    snapshot: Mapped[dict | None] = mapped_column(JSONB)


class Redaction(StrEnum):
    """Where a photo stands with faces and number plates (app.redaction)."""

    PENDING = "pending"  # not searched yet (the job does it); not public
    SUGGESTED = "suggested"  # regions found, blurred, waiting for staff to confirm; not public
    AUTO = "auto"  # regions found and blurred without a look (PUBLISHING=immediate, crews)
    CONFIRMED = "confirmed"  # staff checked the regions
    NONE = "none"  # nothing found, nobody drew anything


# Photos the public may see as far as faces and plates go, and those staff still have to check.
CLEARED = (Redaction.AUTO, Redaction.CONFIRMED, Redaction.NONE)
UNREVIEWED = (Redaction.PENDING, Redaction.SUGGESTED)


class Photo(Model):
    """A re-encoded photo without metadata, stored in UPLOAD_FOLDER under a generated name.

    `filename` and `thumbnail` are what anyone who may see the photo gets: faces and plates in
    `regions` that are on are blurred in them. `original` is the same photo without the blur,
    for staff only, and only until moderation is done (app.redaction.service)."""

    __tablename__ = "photos"
    __table_args__ = (
        # Few photos belong to an event (the crews' after photos); deleting an event (with its
        # report) looks its photos up here instead of scanning every photo.
        Index("ix_photos_event_id", "event_id", postgresql_where=text("event_id IS NOT NULL")),
        CheckConstraint(f"redaction IN ({sql_in(Redaction)})", name="redaction"),
        # The inbox's "Foto prüfen" and the detection job read only the few photos in waiting.
        Index(
            "ix_photos_unreviewed",
            "report_id",
            postgresql_where=text(f"redaction IN ({sql_in(UNREVIEWED)})"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(100), unique=True)
    thumbnail: Mapped[str] = mapped_column(String(100), unique=True)
    width: Mapped[int]
    height: Mapped[int]
    # "after" photos come from crews when the defect is fixed.
    after: Mapped[bool] = mapped_column(default=False)
    hidden: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    # The timeline entry the photo came with (a crew's "after" photo); None for the reporter's.
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("timeline_events.id", ondelete="SET NULL")
    )
    # Faces and plates as found and reviewed: [{"x", "y", "w", "h", "kind", "on"}] in pixels.
    regions: Mapped[list] = mapped_column(JSONB, default=list, server_default="[]")
    # Unsearched unless said otherwise: a photo stored some new way stays out of public view.
    redaction: Mapped[str] = mapped_column(
        String(10), default=Redaction.PENDING, server_default=Redaction.PENDING
    )
    original: Mapped[str | None] = mapped_column(String(100), unique=True)

    report: Mapped[Report] = relationship(back_populates="photos")
    event: Mapped[TimelineEvent | None] = relationship()


# The timeline events that Open311's service request updates list.
UPDATE_KINDS = (EventKind.PUBLIC_NOTE, EventKind.STATUS_CHANGE)
# The author of a partner's update: this, then the name of its API key.
PARTNER = "Partner: "


class TimelineEvent(Model):
    """An append-only entry in a report's history; internal ones never leave the staff area."""

    __tablename__ = "timeline_events"
    __table_args__ = (
        CheckConstraint(f"kind IN ({sql_in(EventKind)})", name="kind"),
        # A partner's retried update finds the event its first try made; a body's update read
        # twice by the sync is added once.
        UniqueConstraint("api_key_id", "partner_update_id"),
        UniqueConstraint("body_id", "partner_update_id"),
        # Open311 updates of a period, oldest first, without reading the other events.
        Index(
            "ix_timeline_events_updates",
            "created_at",
            "id",
            postgresql_where=text(f"public AND kind IN ({sql_in(UPDATE_KINDS)})"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    public: Mapped[bool] = mapped_column(default=True)
    # A label such as "Bürger*in" or a staff member's name; staff user ids come with accounts.
    author: Mapped[str] = mapped_column(String(200))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # An update a partner posted through Open311: its key, and the id the partner gave it.
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id", ondelete="SET NULL"))
    partner_update_id: Mapped[str | None] = mapped_column(String(100))
    # An update that the exchange sync read from the body a report was forwarded to.
    body_id: Mapped[int | None] = mapped_column(ForeignKey("bodies.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())

    report: Mapped[Report] = relationship(back_populates="events")

    @property
    def status_label(self) -> str:
        return Status(self.status).label if self.status else ""
