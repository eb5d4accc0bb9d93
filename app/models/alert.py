from __future__ import annotations

from datetime import datetime

from geoalchemy2 import Geometry
from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Integer, String, func, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model
from app.models.report import Report

ALERT_KINDS = ("district", "radius")
ALERT_MODES = ("immediate", "digest")
RADIUS_MIN_M, RADIUS_MAX_M = 50, 5000


class AreaAlert(Model):
    """Someone who wants a mail about new public reports in an area: a district (which the city
    loaded as Stadtbezirke or Stadtteile) or a circle around an address or point, for some or
    all categories, at once or as a daily digest. Double opt-in: nothing is sent before
    `confirmed_at`. The address is personal data and never leaves the alert's own mails."""

    __tablename__ = "area_alerts"
    __table_args__ = (
        CheckConstraint(f"kind IN {ALERT_KINDS!r}", name="kind"),
        CheckConstraint(f"mode IN {ALERT_MODES!r}", name="mode"),
        CheckConstraint(
            "kind <> 'district' OR district_id IS NOT NULL", name="district_has_district"
        ),
        CheckConstraint(
            "kind <> 'radius' OR (center IS NOT NULL AND area IS NOT NULL "
            f"AND radius_m BETWEEN {RADIUS_MIN_M} AND {RADIUS_MAX_M})",
            name="radius_has_circle",
        ),
        # Matching a new report is two index lookups: its district here, its point in `area`.
        Index(
            "ix_area_alerts_district",
            "district_id",
            postgresql_where=text("confirmed_at IS NOT NULL"),
        ),
        Index(
            "ix_area_alerts_area",
            "area",
            postgresql_using="gist",
            postgresql_where=text("confirmed_at IS NOT NULL"),
        ),
        Index("ix_area_alerts_email", "email"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    # "de" or "en": the language of the page the person subscribed on.
    language: Mapped[str] = mapped_column(String(5), default="de")
    kind: Mapped[str] = mapped_column(String(10))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id", ondelete="CASCADE"))
    center = mapped_column(Geometry("POINT", srid=4326, spatial_index=False))
    radius_m: Mapped[int | None] = mapped_column(Integer)
    # The circle as a polygon a little larger than it (see app.alerts.matching.AREA_SQL): the
    # GiST index finds the candidates, the distance in metres then decides.
    area = mapped_column(Geometry("POLYGON", srid=4326, spatial_index=False))
    # What the person chose, as shown in mails and on pages: "Mitte", "500 m um Kölner Str. 5".
    area_label: Mapped[str] = mapped_column(String(300))
    # NULL: every category.
    category_ids: Mapped[list[int] | None] = mapped_column(ARRAY(Integer))
    mode: Mapped[str] = mapped_column(String(10), default="immediate")
    # The signed unsubscribe token (app.notifications.tokens), kept so that the mails of a new
    # report are written by one INSERT … SELECT, without signing in Python per recipient.
    unsubscribe_token: Mapped[str] = mapped_column(String(200), default="")
    confirmed_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    # The end of the window the last digest covered.
    last_sent_at: Mapped[datetime | None] = mapped_column()


# The daily digest reads the reports that became public in a day, not the whole table.
REPORTS_PUBLISHED_INDEX = Index(
    "ix_reports_published_at",
    Report.__table__.c.published_at,
    postgresql_where=text("published_at IS NOT NULL"),
)
