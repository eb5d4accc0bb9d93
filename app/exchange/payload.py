"""What leaves the city with a forwarded report, decided in one place. Transports get a
Payload, never the report: without the reporter's consent it has no field for personal data."""

from __future__ import annotations

from dataclasses import dataclass

from app.links import external_url
from app.models import Report
from app.public.projection import public_report


@dataclass(frozen=True)
class Reporter:
    name: str | None
    email: str | None
    phone: str | None
    place: str | None  # the place in the reporter's words


@dataclass(frozen=True)
class Payload:
    case_number: str
    category_code: str
    category: str
    lat: float
    lon: float
    # The checked public text; with consent the reporter's own words before it is checked.
    description: str
    photo_urls: tuple[str, ...]
    public_url: str
    reason: str | None
    reporter: Reporter | None


def payload(report: Report, reason: str | None) -> Payload:
    public = public_report(report)
    consent = report.share_consent
    reporter = None
    if consent:
        reporter = Reporter(
            report.reporter_name, report.reporter_email, report.reporter_phone, report.place_text
        )
    description = report.description if consent else public.description or ""
    return Payload(
        case_number=report.case_number,
        category_code=report.category.code,
        category=report.category.name,
        lat=report.lat,
        lon=report.lon,
        description=description,
        # Links to our public photo files: only photos the public may see.
        photo_urls=tuple(external_url("public.photo", name=p.filename) for p in public.photos),
        public_url=external_url("public.report", case_number=report.case_number),
        reason=reason,
        reporter=reporter,
    )
