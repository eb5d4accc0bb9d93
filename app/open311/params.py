"""Reading and checking Open311 parameters. Every error names its parameter; several errors are
collected and answered at once. An empty optional parameter counts as absent (spec)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import TypeVar

from werkzeug.datastructures import Headers, MultiDict

from app.coordinates import CoordinateError, parse_coordinate

T = TypeVar("T")

MAX_SPAN = timedelta(days=90)
MAX_IDS = 1000
MAX_PAGE = 1_000_000
MAX_OFFSET = 10_000
MAX_RADIUS = 50_000  # metres: the whole city and its surroundings
# Case numbers look like 2026-000123; anything else cannot exist and never reaches the database.
REQUEST_ID = re.compile(r"^[0-9A-Za-z-]{1,20}$")
# An unencoded "+" of a UTC offset arrives as a space ("…T10:00:00 01:00").
OFFSET_AS_SPACE = re.compile(r" (\d\d:?\d\d)$")
ISO_HINT = "Bitte Datum und Uhrzeit nach ISO 8601, z. B. 2026-01-31T10:00:00+01:00."
TRUE_VALUES = {"true", "1", "yes"}
FALSE_VALUES = {"false", "0", "no"}


class ApiError(Exception):
    """Errors answered with one HTTP status, each a description naming the parameter."""

    def __init__(self, status: int, descriptions: list[str]) -> None:
        super().__init__("; ".join(descriptions))
        self.status = status
        self.descriptions = descriptions


class BadParameter(Exception):
    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name}: {message}")


@dataclass
class RequestFilter:
    """What GET requests asks for, checked and completed with the spec's defaults."""

    ids: list[str] | None = None
    service_codes: list[str] | None = None
    start: datetime | None = None
    end: datetime | None = None
    statuses: frozenset[str] | None = None
    updated_after: datetime | None = None
    updated_before: datetime | None = None
    bbox: tuple[float, float, float, float] | None = None
    near: tuple[float, float, float] | None = None  # lat, lon, radius in metres
    page: int = 1
    page_size: int = 1000
    extensions: bool = False

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size


def optional(values: MultiDict | Headers, name: str) -> str | None:
    raw = values.get(name)
    text = raw.strip() if isinstance(raw, str) else ""
    return text or None


def shown(raw: str) -> str:
    """A bad value echoed in an error message: short, one line."""
    text = raw if len(raw) <= 40 else raw[:40] + "…"
    return repr(text)


def comma_list(values: MultiDict, name: str) -> list[str] | None:
    """A comma-separated parameter that may also be repeated; None when absent or empty."""
    items = [part.strip() for raw in values.getlist(name) for part in raw.split(",")]
    items = [item for item in items if item]
    return items or None


def parse_datetime(name: str, raw: str, zone: tzinfo) -> datetime:
    """ISO 8601 (W3C profile); a value without offset is read in the city's time zone."""
    text = OFFSET_AS_SPACE.sub(r"+\1", raw.strip())
    try:
        value = datetime.fromisoformat(text) if len(text) <= 40 else None
    except ValueError:
        value = None
    if value is None:
        raise BadParameter(name, ISO_HINT)
    if not 1900 <= value.year <= 9000:
        raise BadParameter(name, "Das Jahr muss zwischen 1900 und 9000 liegen.")
    return value if value.tzinfo is not None else value.replace(tzinfo=zone)


def parse_number(name: str, raw: str, low: float, high: float) -> float:
    try:
        return parse_coordinate(raw, low, high)
    except CoordinateError as exc:
        raise BadParameter(name, str(exc)) from None


def parse_flag(name: str, raw: str | None) -> bool:
    if raw is None or raw.lower() in FALSE_VALUES:
        return False
    if raw.lower() in TRUE_VALUES:
        return True
    raise BadParameter(name, "Erlaubt sind true und false.")


def parse_positive_int(name: str, raw: str, high: int) -> int:
    if not re.fullmatch(r"[0-9]{1,9}", raw) or not 1 <= int(raw) <= high:
        raise BadParameter(name, f"Bitte eine ganze Zahl von 1 bis {high}.")
    return int(raw)


class Checker:
    """Runs parsers and collects their errors instead of stopping at the first."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def run(self, parse: Callable[..., T], *args: object) -> T | None:
        try:
            return parse(*args)
        except BadParameter as exc:
            self.errors.append(str(exc))
            return None

    def fail(self, name: str, message: str) -> None:
        self.errors.append(str(BadParameter(name, message)))

    def raise_if_any(self) -> None:
        if self.errors:
            raise ApiError(400, self.errors)


def request_filter(
    values: MultiDict, now: datetime, zone: tzinfo, page_size: int, known_codes: set[str]
) -> RequestFilter:
    """GET requests' parameters; raises ApiError(400) naming every bad parameter."""
    check = Checker()
    extensions = check.run(parse_flag, "extensions", optional(values, "extensions")) or False
    ids = comma_list(values, "service_request_id")
    if ids is not None:
        # The spec: service_request_id overrides all other arguments.
        if len(ids) > MAX_IDS:
            check.fail("service_request_id", f"Höchstens {MAX_IDS} IDs auf einmal.")
        check.raise_if_any()
        return RequestFilter(ids=[i for i in ids if REQUEST_ID.match(i)], extensions=extensions)
    found = RequestFilter(extensions=extensions, page_size=page_size)
    found.service_codes = _service_codes(check, values, known_codes)
    found.statuses = _statuses(check, values)
    _dates(check, values, zone, found)
    _places(check, values, found)
    _paging(check, values, page_size, found)
    check.raise_if_any()
    _default_period(found, now)
    return found


def _service_codes(check: Checker, values: MultiDict, known: set[str]) -> list[str] | None:
    codes = comma_list(values, "service_code")
    unknown = [code for code in codes or [] if code not in known]
    if unknown:
        listed = ", ".join(shown(code) for code in unknown[:3])
        check.fail("service_code", f"Unbekannter Code: {listed}.")
        return None
    return codes


def _statuses(check: Checker, values: MultiDict) -> frozenset[str] | None:
    statuses = comma_list(values, "status")
    if statuses is None:
        return None
    wrong = [s for s in statuses if s not in ("open", "closed")]
    if wrong:
        check.fail("status", f"Erlaubt sind open und closed, nicht {shown(wrong[0])}.")
        return None
    return frozenset(statuses)


def _dates(check: Checker, values: MultiDict, zone: tzinfo, found: RequestFilter) -> None:
    for name in ("start_date", "end_date", "updated_after", "updated_before"):
        raw = optional(values, name)
        if raw is not None:
            setattr(found, name.replace("_date", ""), check.run(parse_datetime, name, raw, zone))
    _check_period(check, found.start, found.end)
    if found.updated_after and found.updated_before and found.updated_after > found.updated_before:
        check.fail("updated_after", "Muss vor updated_before liegen.")


def _check_period(
    check: Checker, start: datetime | None, end: datetime | None, why: str = " (Spezifikation)"
) -> None:
    if start and end:
        if start > end:
            check.fail("start_date", "Muss vor end_date liegen.")
        elif end - start > MAX_SPAN:
            check.fail("end_date", f"Höchstens 90 Tage nach start_date{why}.")


def _default_period(found: RequestFilter, now: datetime) -> None:
    """Queries about changes (updated_after/_before) reach older reports, so they get no
    default period."""
    if found.start is None and found.end is None and (found.updated_after or found.updated_before):
        return
    found.start, found.end = _completed_period(found.start, found.end, now)


def _completed_period(
    start: datetime | None, end: datetime | None, now: datetime
) -> tuple[datetime, datetime | None]:
    """The spec's 90 days: the latest ones (no end), or completing a one-sided range."""
    if start is not None and end is None:
        return start, start + MAX_SPAN
    if end is not None and start is None:
        return end - MAX_SPAN, end
    return start or now - MAX_SPAN, end


def update_period(
    values: MultiDict, now: datetime, zone: tzinfo
) -> tuple[datetime, datetime | None]:
    """start_date and end_date of GET servicerequestupdates, with the 90 days of GET requests:
    checked, and completed like there. ApiError(400) names every bad parameter."""
    check = Checker()
    start, end = (
        check.run(parse_datetime, name, raw, zone) if (raw := optional(values, name)) else None
        for name in ("start_date", "end_date")
    )
    # The 90 days are GET requests' rule (its spec's), kept here to bound the answer.
    _check_period(check, start, end, why="")
    check.raise_if_any()
    return _completed_period(start, end, now)


def _places(check: Checker, values: MultiDict, found: RequestFilter) -> None:
    raw = optional(values, "bbox")
    if raw is not None:
        found.bbox = check.run(parse_bbox, raw)
    lat, lon, radius = (optional(values, n) for n in ("lat", "long", "radius"))
    if lat is None and lon is None and radius is None:
        return
    for name, value in (("lat", lat), ("long", lon), ("radius", radius)):
        if value is None:
            check.fail(name, "Fehlt: lat, long und radius gehören zusammen.")
    if lat is None or lon is None or radius is None:
        return
    point = (
        check.run(parse_number, "lat", lat, -90, 90),
        check.run(parse_number, "long", lon, -180, 180),
        check.run(parse_number, "radius", radius, 0, MAX_RADIUS),
    )
    if point[2] == 0:
        check.fail("radius", "Muss größer als 0 sein.")
    elif None not in point:
        found.near = point  # type: ignore[assignment]


def parse_bbox(raw: str) -> tuple[float, float, float, float]:
    parts = raw.split(",")
    if len(parts) != 4:
        raise BadParameter("bbox", "Vier Zahlen: minLon,minLat,maxLon,maxLat.")
    ranges = ((-180, 180), (-90, 90), (-180, 180), (-90, 90))
    west, south, east, north = (
        parse_number("bbox", part, low, high)
        for part, (low, high) in zip(parts, ranges, strict=True)
    )
    if west > east or south > north:
        raise BadParameter("bbox", "Reihenfolge minLon,minLat,maxLon,maxLat (Minimum zuerst).")
    return west, south, east, north


def _paging(check: Checker, values: MultiDict, page_size: int, found: RequestFilter) -> None:
    page = optional(values, "page")
    if page is not None:
        found.page = check.run(parse_positive_int, "page", page, MAX_PAGE) or 1
    size = optional(values, "page_size")
    if size is not None:
        # Larger sizes are capped rather than refused: a client asking for "all" gets the most.
        if re.fullmatch(r"[0-9]{1,30}", size) and int(size) > page_size:
            size = str(page_size)
        found.page_size = check.run(parse_positive_int, "page_size", size, page_size) or page_size
    # Deep OFFSETs cost seconds; a client that needs more narrows the dates or uses updated_after.
    if found.page > 1 and found.offset > MAX_OFFSET:
        check.fail(
            "page",
            f"Höchstens {MAX_OFFSET} Meldungen überspringen; bitte den Zeitraum eingrenzen "
            "(start_date, end_date, updated_after).",
        )


def extensions_flag(values: MultiDict) -> bool:
    check = Checker()
    flag = check.run(parse_flag, "extensions", optional(values, "extensions"))
    check.raise_if_any()
    return bool(flag)
