"""What the public may see of a report, decided in one place.

`public_report` builds the PublicReport that every public page renders; `tracked_report` adds
what the reporter may see of their own report. The bulk outputs (Open311, feeds, exports) read
through the SQL expressions below, so the rule is the same whether a page or a query applies
it: never the reporter's data; text, link and photos only once published; hidden photos never.
Templates get these values, never an ORM row.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy import ColumnElement, case

from app.models import Photo, Report, Status, TimelineEvent
from app.models.inquiry import REPORTER
from app.models.report import CLEARED, PARTNER


@dataclass(frozen=True)
class PublicPhoto:
    filename: str
    thumbnail: str
    width: int
    height: int
    # A crew's photo of the place after the work ("nachher"); else the reporter's ("vorher").
    after: bool
    created_at: datetime | None = None


@dataclass(frozen=True)
class PublicEvent:
    created_at: datetime
    kind: str
    status: Status | None
    note: str | None
    # The partner system whose update this is (an organisation, never a person); None: the city.
    partner: str | None = None
    # The photos that came with this entry (a crew's after photo), as far as they are shown.
    photos: tuple[PublicPhoto, ...] = ()
    # The reporter's answer to a question of the city, published by staff (app/inquiries).
    from_reporter: bool = False

    @property
    def status_label(self) -> str:
        return self.status.label if self.status else ""


@dataclass(frozen=True)
class PublicReport:
    case_number: str
    status: Status
    category: str
    district: str
    department: str
    created_at: datetime
    lat: float
    lon: float
    published: bool
    # None and empty until staff checked them for personal data (moderated publishing).
    description: str | None
    # A photo link sent through Open311: shown as a link, never fetched.
    media_url: str | None
    photos: tuple[PublicPhoto, ...]
    events: tuple[PublicEvent, ...]
    duplicate_of: str | None
    # The other body that handles the report (a Kommune or authority, never a person).
    forwarded_to: str | None
    # The place described: nearest address, street or Stadtteil (None for old reports).
    place: str | None
    # How many people confirmed "Ich bin auch betroffen" (a number only, never who).
    support_count: int

    @property
    def before_photos(self) -> tuple[PublicPhoto, ...]:
        return tuple(p for p in self.photos if not p.after)

    @property
    def after_photos(self) -> tuple[PublicPhoto, ...]:
        """Newest first: the latest is shown beside the reporter's photo."""
        return tuple(sorted((p for p in self.photos if p.after), key=_newest_first))


@dataclass(frozen=True)
class TrackedReport(PublicReport):
    """The reporter's own view through the private link: their text, photos and contact."""

    reporter_name: str | None
    reporter_email: str | None
    reporter_phone: str | None


def public_report(report: Report) -> PublicReport:
    shown = report.is_published
    photos = visible_photos(report) if shown else ()
    return PublicReport(
        case_number=report.case_number,
        status=report.status_enum,
        category=report.category.name,
        district=report.district.name,
        department=report.department.name,
        created_at=report.created_at,
        lat=report.lat,
        lon=report.lon,
        published=shown,
        description=report.description if shown else None,
        media_url=report.media_url if shown else None,
        photos=photos,
        events=_events(report, photos),
        duplicate_of=report.duplicate_of.case_number if report.duplicate_of else None,
        forwarded_to=report.body.name if report.body else None,
        place=report.address,
        support_count=report.support_count,
    )


def tracked_report(report: Report) -> TrackedReport:
    public = public_report(report)
    photos = visible_photos(report, own=True)
    return TrackedReport(
        **{f.name: getattr(public, f.name) for f in fields(PublicReport)}
        | {
            "description": report.description,
            "media_url": report.media_url,
            "photos": photos,
            "events": _events(report, photos),
        },
        reporter_name=report.reporter_name,
        reporter_email=report.reporter_email,
        reporter_phone=report.reporter_phone,
    )


def visible_photos(report: Report, own: bool = False) -> tuple[PublicPhoto, ...]:
    """The report's photos that staff have not hidden and whose faces and plates are dealt
    with (public once published). The reporter sees her own photos through the tracking link
    before that check too (never a crew's): blurred wherever the detector found something."""
    return tuple(
        _photo(p) for p in report.photos if not p.hidden and (_cleared(p) or (own and not p.after))
    )


def _cleared(photo: Photo) -> bool:
    return photo.redaction in CLEARED


def _photo(photo: Photo) -> PublicPhoto:
    return PublicPhoto(
        photo.filename, photo.thumbnail, photo.width, photo.height, photo.after, photo.created_at
    )


def _newest_first(photo: PublicPhoto) -> float:
    return -photo.created_at.timestamp() if photo.created_at else 0.0


def _events(report: Report, shown: tuple[PublicPhoto, ...]) -> tuple[PublicEvent, ...]:
    """The public entries, each with those of its photos that are `shown`."""
    names = {p.filename for p in shown}
    by_event: dict[int, list[PublicPhoto]] = {}
    for photo in report.photos:
        if photo.event_id is not None and photo.filename in names:
            by_event.setdefault(photo.event_id, []).append(_photo(photo))
    return tuple(_event(e, tuple(by_event.get(e.id, ()))) for e in report.events if e.public)


def _event(event: TimelineEvent, photos: tuple[PublicPhoto, ...] = ()) -> PublicEvent:
    status = Status(event.status) if event.status else None
    from_partner = event.api_key_id is not None or event.body_id is not None
    partner = event.author.removeprefix(PARTNER) if from_partner else None
    # Staff accounts have an id; the reporter has none (and no partner wrote it).
    from_reporter = event.author == REPORTER and event.author_id is None and not from_partner
    return PublicEvent(
        event.created_at, event.kind, status, event.note, partner, photos, from_reporter
    )


def photo_is_public(photo: Photo) -> bool:
    return not photo.hidden and _cleared(photo) and photo.report.is_published


# --- the same rule for queries -------------------------------------------------------------


def published(published_at: ColumnElement) -> ColumnElement[bool]:
    return published_at.is_not(None)


def public_text(published_at: ColumnElement, value: ColumnElement) -> ColumnElement:
    """A report's text or link: NULL until the report is published."""
    return case((published(published_at), value))


def public_photos(published_at: ColumnElement) -> ColumnElement[bool]:
    """The condition on photos (joined to their report) that the public may see."""
    return Photo.hidden.is_(False) & Photo.redaction.in_(CLEARED) & published(published_at)
