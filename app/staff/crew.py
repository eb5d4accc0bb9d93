"""The crew's side of the staff area, made for a phone in the street: queue rows with distance,
thumbnail and the start of the text; the way to a job (a geo: link for the phone's navigation
app, OpenStreetMap's directions); and what a refused save carried, so the page shows it again
and nothing typed is lost. Nothing here writes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

from flask import jsonify, redirect, request
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import distinct_on
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response

from app.extensions import db
from app.models import Photo, Report
from app.public.cards import shorten
from app.staff.actions import PRIORITIES
from app.staff.replay import REPLAY_HEADER

OSM_DIRECTIONS = "https://www.openstreetmap.org/directions"
# A refused form's values are shown again; a hostile client's megabytes are not.
KEPT_LIMIT = 10_000


def distance_text(metres: float) -> str:
    """How far, as a crew reads it on a phone: "unter 10 m", "350 m", "1,2 km"."""
    if metres < 10:
        return "unter 10 m"
    if metres < 995:
        return f"{round(metres / 10) * 10} m"
    if metres < 99_950:
        return f"{metres / 1000:.1f} km".replace(".", ",")
    return f"{round(metres / 1000)} km"


@dataclass(frozen=True)
class QueueRow:
    report: Report
    # From the position the page was asked for (None without one).
    metres: float | None
    # The first photo's thumbnail, the reporter's before the crews'; staff see hidden ones too.
    thumbnail: str | None

    @property
    def distance(self) -> str | None:
        return None if self.metres is None else distance_text(self.metres)

    @property
    def snippet(self) -> str | None:
        return shorten(self.report.description)

    @property
    def priority(self) -> str | None:
        """The label of a raised priority ("hoch", "dringend"); None for most jobs."""
        return PRIORITIES[self.report.priority] if self.report.priority else None


def queue_rows(reports: Sequence[Report], here: tuple[float, float] | None) -> list[QueueRow]:
    ids = [r.id for r in reports]
    thumbnails = _first_thumbnails(ids)
    metres = _distances(ids, here) if here is not None else {}
    return [QueueRow(r, metres.get(r.id), thumbnails.get(r.id)) for r in reports]


def _first_thumbnails(ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = db.session.execute(
        select(Photo.report_id, Photo.thumbnail)
        .where(Photo.report_id.in_(ids))
        .ext(distinct_on(Photo.report_id))
        .order_by(Photo.report_id, Photo.after, Photo.id)
    )
    return {row.report_id: row.thumbnail for row in rows}


def _distances(ids: list[int], here: tuple[float, float]) -> dict[int, float]:
    """Metres on the ellipsoid, as the queue's "nearest first" sorts them."""
    if not ids:
        return {}
    point = func.geography(func.ST_SetSRID(func.ST_MakePoint(here[1], here[0]), 4326))
    metres = func.ST_Distance(func.geography(Report.location), point)
    rows = db.session.execute(select(Report.id, metres).where(Report.id.in_(ids)))
    return {row[0]: float(row[1]) for row in rows}


@dataclass(frozen=True)
class WayTo:
    """Links that start navigating to a job: the phone's own app, or OpenStreetMap."""

    lat: float
    lon: float

    @property
    def geo_uri(self) -> str:
        # RFC 5870; Android hands it to the navigation app the crew chose.
        return f"geo:{self.lat:.6f},{self.lon:.6f}"

    @property
    def osm_directions(self) -> str:
        """By car, from where the crew is (OpenStreetMap asks; the page's script fills it in
        once the position is known) to the job."""
        route = f";{self.lat:.6f},{self.lon:.6f}"
        query = urlencode({"engine": "fossgis_osrm_car", "route": route}, quote_via=quote)
        return f"{OSM_DIRECTIONS}?{query}"


@dataclass(frozen=True)
class Kept:
    """What a refused save carried: the form it came from, its fields and the name of a photo,
    which a page without JavaScript cannot keep (the status form's script attaches it again)."""

    action: str | None = None
    fields: dict[str, str] = field(default_factory=dict)
    photo_name: str | None = None

    def of(self, action: str) -> dict[str, str]:
        """The fields, when they came from this form."""
        return self.fields if self.action == action else {}


def kept_input(action: str) -> Kept:
    fields = {
        key: _printable(value[:KEPT_LIMIT])
        for key, value in request.form.items()
        if key not in ("csrf_token", "version")
    }
    upload = request.files.get("photo")
    name = None
    if isinstance(upload, FileStorage) and upload.filename:
        name = "".join(c for c in upload.filename if c.isprintable())[:100] or "Foto"
    return Kept(action, fields, name)


def _printable(value: str) -> str:
    """What a person can have typed: control characters (refused anyway) are not shown again."""
    return "".join(c for c in value if c.isprintable() or c in "\n\t")


@dataclass(frozen=True)
class CrewPage:
    """What the staff report page shows for crews: the way there and any refused input."""

    way: WayTo
    kept: Kept
    # The status form's script keeps a refused photo itself: no "choose it again" then.
    sent_by_script: bool


def crew_page(report: Report, kept: Kept | None = None) -> CrewPage:
    return CrewPage(WayTo(report.lat, report.lon), kept or Kept(), sent_by_script())


def sent_by_script() -> bool:
    """The status form's script (static/js/crew.js) asks for JSON, as the report form's does."""
    return request.accept_mimetypes.best == "application/json"


def saved(target: str) -> Response:
    """The answer to a save: a redirect, or for the script the address to go to (it cannot
    stop XMLHttpRequest from following a redirect, and following one would use up the page's
    "Gespeichert" message)."""
    # A replay of the offline queue gets its own JSON answer from app.staff.replay.
    if sent_by_script() and request.headers.get(REPLAY_HEADER) != "1":
        return jsonify(redirect=target)
    return redirect(target)
