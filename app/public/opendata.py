"""Open data: the Atom feed and the GeoJSON/CSV exports of public reports.

Exports stream rows from a server-side cursor, so memory stays flat at a million reports.
Only public fields are selected (PUBLIC_ROWS, through the projection's rule): personal data
cannot leak because it is never read.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any
from xml.etree import ElementTree as ET

from sqlalchemy import Row, func, select, text

from app.extensions import db
from app.models import Category, Department, District, Report
from app.models.status import Status
from app.open311.formats import NOT_XML
from app.public.filters import ReportFilter, circle_where
from app.public.projection import public_text

# The public fields of a report; the projection decides what is public (text once published).
_R = Report.__table__.alias("r")
_C, _D, _DEP = (
    m.__table__.alias(a) for m, a in ((Category, "c"), (District, "d"), (Department, "dep"))
)
PUBLIC_ROWS = select(
    _R.c.id,
    _R.c.case_number,
    _R.c.status,
    _R.c.created_at,
    _R.c.updated_at,
    func.ST_Y(_R.c.location).label("lat"),
    func.ST_X(_R.c.location).label("lon"),
    public_text(_R.c.published_at, _R.c.description).label("description"),
    _C.c.code.label("category_code"),
    _C.c.name_de.label("category"),
    _D.c.code.label("district_code"),
    _D.c.name.label("district"),
    _DEP.c.name.label("department"),
).select_from(
    _R.join(_C, _C.c.id == _R.c.category_id)
    .join(_D, _D.c.id == _R.c.district_id)
    .join(_DEP, _DEP.c.id == _R.c.department_id)
)
CSV_FIELDS = [
    "case_number",
    "category_code",
    "category",
    "status",
    "status_label",
    "district_code",
    "district",
    "department",
    "created_at",
    "updated_at",
    "lat",
    "lon",
    "description",
    "url",
]


def _where(flt: ReportFilter) -> tuple[str, dict]:
    where, params = flt.where("r")
    if flt.circle:
        near, values = circle_where(flt.circle, "r.location")
        where, params = f"{where} AND {near}", params | values
    if flt.start:
        where += " AND r.created_at >= :since"
        params["since"] = flt.start
    if flt.end:
        where += " AND r.created_at < :until"
        params["until"] = flt.end
    return where, params


def recent_changes(flt: ReportFilter, limit: int = 50) -> list:
    """The newest and most recently updated reports, for the feed."""
    where, params = _where(flt)
    statement = (
        PUBLIC_ROWS.where(text(where)).order_by(_R.c.updated_at.desc(), _R.c.id.desc()).limit(limit)
    )
    return list(db.session.execute(statement, params).all())


def stream_rows(flt: ReportFilter) -> Iterator:
    where, params = _where(flt)
    statement = (
        PUBLIC_ROWS.where(text(where))
        .order_by(_R.c.id)
        .execution_options(stream_results=True, yield_per=2000)
    )
    # A server-side cursor; stream_with_context keeps the request's session open meanwhile.
    yield from db.session.execute(statement, params)


def _record(row: Row[Any], url_for_report) -> dict:
    return {
        "case_number": row.case_number,
        "category_code": row.category_code,
        "category": row.category,
        "status": row.status,
        "status_label": Status(row.status).label,
        "district_code": row.district_code,
        "district": row.district,
        "department": row.department,
        "created_at": row.created_at.isoformat(),
        "updated_at": row.updated_at.isoformat(),
        "lat": round(row.lat, 6),
        "lon": round(row.lon, 6),
        "description": row.description or "",
        "url": url_for_report(row.case_number),
    }


def geojson_chunks(rows: Iterator, url_for_report, license_line: str) -> Iterator[str]:
    yield '{"type":"FeatureCollection","license":' + json.dumps(license_line) + ',"features":['
    first = True
    for row in rows:
        record = _record(row, url_for_report)
        feature = {
            "type": "Feature",
            "id": record["case_number"],
            "geometry": {"type": "Point", "coordinates": [record["lon"], record["lat"]]},
            "properties": record,
        }
        yield ("" if first else ",") + json.dumps(feature, ensure_ascii=False)
        first = False
    yield "]}\n"


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _defused(value: object) -> object:
    """Spreadsheets run a cell that starts like a formula: any text field may, even a district
    name from an imported file, so every one gets a leading apostrophe then."""
    if isinstance(value, str) and value.lstrip(" ").startswith(FORMULA_START):
        return "'" + value
    return value


def csv_chunks(rows: Iterator, url_for_report) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_FIELDS)
    writer.writeheader()
    for count, row in enumerate(rows, start=1):
        writer.writerow(
            {key: _defused(value) for key, value in _record(row, url_for_report).items()}
        )
        if count % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


ATOM = "http://www.w3.org/2005/Atom"


def atom_feed(rows: list, title: str, self_url: str, url_for_report, rights: str) -> bytes:
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    ET.SubElement(feed, f"{{{ATOM}}}title").text = title
    ET.SubElement(feed, f"{{{ATOM}}}id").text = self_url
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=self_url)
    ET.SubElement(feed, f"{{{ATOM}}}rights").text = rights
    updated = max((r.updated_at for r in rows), default=None)
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = (
        updated.isoformat() if updated else "1970-01-01T00:00:00+00:00"
    )
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    ET.SubElement(author, f"{{{ATOM}}}name").text = "Mängelmelder"
    for row in rows:
        feed.append(_entry(row, url_for_report(row.case_number)))
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _xml_text(value: str) -> str:
    """Without the characters XML cannot carry, so one odd report cannot break the feed."""
    return NOT_XML.sub("", value)


def _entry(row: Row[Any], url: str) -> ET.Element:
    entry = ET.Element(f"{{{ATOM}}}entry")
    label = Status(row.status).label
    title = f"{row.category}: {label} ({row.district})"
    ET.SubElement(entry, f"{{{ATOM}}}title").text = _xml_text(title)
    ET.SubElement(entry, f"{{{ATOM}}}id").text = url
    ET.SubElement(entry, f"{{{ATOM}}}link", href=url)
    ET.SubElement(entry, f"{{{ATOM}}}published").text = row.created_at.isoformat()
    ET.SubElement(entry, f"{{{ATOM}}}updated").text = row.updated_at.isoformat()
    ET.SubElement(
        entry,
        f"{{{ATOM}}}category",
        term=_xml_text(row.category_code),
        label=_xml_text(row.category),
    )
    summary = f"Meldung {row.case_number}, {row.district}: {label}. Zuständig: {row.department}."
    if row.description:
        summary += f"\n{row.description}"
    ET.SubElement(entry, f"{{{ATOM}}}summary").text = _xml_text(summary)
    return entry
