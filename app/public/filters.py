"""Filters shared by the public map, list, feeds and exports: parsed once, applied in SQL."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.coordinates import CoordinateError, parse_coordinate
from app.extensions import db
from app.models import Category, District
from app.models.status import CLOSED_STATUSES, OPEN_STATUSES, Status

BERLIN = ZoneInfo("Europe/Berlin")
STATUS_GROUPS = {"open": OPEN_STATUSES, "closed": CLOSED_STATUSES}
# "current": the open reports and those resolved in the last RECENT_DAYS days; "all": no status
# filter, chosen explicitly (a shareable link).
CURRENT, ALL = "current", "all"
RECENT_DAYS = 30
# The start page's and the list's default: what is going on now. The map counts its recently
# resolved part from a partial covering index on closed_at (ix_reports_resolved_closed) without
# reading the table: at 1,000,000 reports (34,524 resolved in 30 days) the city at zoom 13 took
# 13.7 ms of SQL (status=open: 5.6), against 114 ms through the index on updated_at and the
# table before that index; it grows with the closures of a month.
DEFAULT_STATUS = CURRENT


class FilterError(ValueError):
    """A bad filter value; `parameter` names the query parameter."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter


@dataclass
class ReportFilter:
    category_ids: list[int] | None = None
    statuses: list[str] | None = None
    district_ids: list[int] | None = None
    since: date | None = None
    until: date | None = None
    # With "current": resolved reports closed at or after this moment count too.
    resolved_since: datetime | None = None
    # Feeds and exports only (the map's rollups know no points): see parse_circle.
    circle: Circle | None = None
    # The raw values, for links and forms.
    args: dict[str, str] = field(default_factory=dict)

    def where(self, table: str = "reports", prefix: str = "f") -> tuple[str, dict]:
        """SQL conditions (joined with AND, or 'true') and their parameters, named with
        `prefix` (two filters in one query need two prefixes). `resolved_since` needs the
        reports table: the rollups have no closed_at."""
        parts, params = ["true"], dict[str, object]()
        if self.category_ids is not None:
            parts.append(f"{table}.category_id = ANY(:{prefix}_categories)")
            params[f"{prefix}_categories"] = self.category_ids
        if self.statuses is not None:
            condition = f"{table}.status = ANY(:{prefix}_statuses)"
            params[f"{prefix}_statuses"] = self.statuses
            if self.resolved_since is not None:
                condition = f"({condition} OR {recently_resolved(table, prefix)})"
                params[f"{prefix}_resolved"] = self.resolved_since
            parts.append(condition)
        if self.district_ids is not None:
            parts.append(f"{table}.district_id = ANY(:{prefix}_districts)")
            params[f"{prefix}_districts"] = self.district_ids
        return " AND ".join(parts), params

    @property
    def narrowed(self) -> bool:
        """True when category, status or district narrow the reports down."""
        return any(v is not None for v in (self.category_ids, self.statuses, self.district_ids))

    @property
    def start(self) -> datetime | None:
        """The first moment of `since` in the city's time zone."""
        return day_start(self.since) if self.since else None

    @property
    def end(self) -> datetime | None:
        """The first moment after `until`."""
        return day_start(self.until, 1) if self.until else None


def recently_resolved(table: str, prefix: str) -> str:
    """Resolved at or after :{prefix}_resolved: the predicate and key of the partial index
    ix_reports_resolved_closed, which holds what the map needs of these reports (px, py,
    category_id, district_id), so the map reads a month's closures from the index alone."""
    return f"({table}.status = 'resolved' AND {table}.closed_at >= :{prefix}_resolved)"


def city_day(moment: datetime) -> date:
    """The calendar day of a moment in the city's time zone."""
    return moment.astimezone(BERLIN).date()


def day_start(day: date, plus_days: int = 0) -> datetime:
    """Midnight at the start of a day (plus some days) in the city's time zone."""
    return datetime.combine(day + timedelta(days=plus_days), datetime.min.time(), BERLIN)


def _split(raw: str) -> list[str]:
    return [part.strip() for part in raw.split(",") if part.strip()]


CODE = re.compile(r"[\w.-]{1,50}")


def _codes(parameter: str, raw: str, model: type[Category] | type[District]) -> list[int]:
    codes = _split(raw)
    if len(codes) > 50:
        raise FilterError(parameter, f"Zu viele Werte für „{parameter}“.")
    if not all(CODE.fullmatch(code) for code in codes):
        raise FilterError(parameter, f"Ungültiger Wert für „{parameter}“.")
    found = dict(
        db.session.execute(select(model.code, model.id).where(model.code.in_(codes))).all()
    )
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise FilterError(parameter, f"Unbekannter Wert für „{parameter}“: {unknown[0][:50]}")
    return [found[c] for c in codes]


def _statuses(raw: str) -> tuple[list[str] | None, bool]:
    """The statuses asked for (None: all) and whether recently resolved reports count too."""
    parts = _split(raw)
    if parts == [ALL]:
        return None, False
    statuses: set[str] = set()
    current = False
    for part in parts:
        if part == CURRENT:
            statuses |= {s.value for s in OPEN_STATUSES}
            current = True
        elif part in STATUS_GROUPS:
            statuses |= {s.value for s in STATUS_GROUPS[part]}
        elif part in {s.value for s in Status}:
            statuses.add(part)
        else:
            raise FilterError("status", f"Unbekannter Status: {part[:50]}")
    # With all resolved reports asked for, the recent ones need no condition of their own.
    return sorted(statuses), current and Status.RESOLVED.value not in statuses


def _date(parameter: str, raw: str) -> date:
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        raise FilterError(parameter, f"„{parameter}“ muss ein Datum wie 2026-01-31 sein.") from None
    if value.year < 2000 or value.year > 2100:
        raise FilterError(parameter, f"„{parameter}“ liegt außerhalb von 2000–2100.")
    return value


def parse_filter(args: dict[str, str]) -> ReportFilter:
    """Read category, status, district, since and until; empty values count as absent."""
    raw = {k: (args.get(k) or "").strip()[:500] for k in FILTER_PARAMETERS}
    result = ReportFilter(args={k: v for k, v in raw.items() if v})
    if raw["category"]:
        result.category_ids = _codes("category", raw["category"], Category)
    if raw["status"]:
        result.statuses, current = _statuses(raw["status"])
        if current:
            today = datetime.now(BERLIN).date()
            # From midnight: the same value all day, so answers can be cached.
            result.resolved_since = day_start(today - timedelta(days=RECENT_DAYS))
    if raw["district"]:
        result.district_ids = _codes("district", raw["district"], District)
    if raw["since"]:
        result.since = _date("since", raw["since"])
    if raw["until"]:
        result.until = _date("until", raw["until"])
    if result.since and result.until and result.since > result.until:
        raise FilterError("until", "„until“ liegt vor „since“.")
    return result


FILTER_PARAMETERS = ("category", "status", "district", "since", "until")
CIRCLE_PARAMETERS = ("lat", "lon", "radius")
# A feed or an alert for more than this around a point is most of the city: take the city's.
RADIUS_MAX_M = 5000


@dataclass(frozen=True)
class Circle:
    """Reports within `radius_m` metres of a point (feeds, exports, area alerts)."""

    lat: float
    lon: float
    radius_m: int


# {point}: the report's location; {lat}, {lon}, {radius}: SQL values. The polygon is a little
# larger than the circle (a buffer's polygon lies inside it), so the GiST index finds every
# candidate; the distance on the sphere then decides.
CIRCLE_AREA_SQL = (
    "ST_Buffer(ST_SetSRID(ST_MakePoint({lon}, {lat}), 4326)::geography, {radius} * 1.01 + 1)"
    "::geometry"
)
WITHIN_SQL = "ST_DWithin({point}::geography, {center}::geography, {radius})"


def circle_where(circle: Circle, point: str, prefix: str = "c") -> tuple[str, dict]:
    """The SQL condition that `point` lies in the circle, and its parameters."""
    values = {k: f":{prefix}_{k}" for k in ("lat", "lon", "radius")}
    center = "ST_SetSRID(ST_MakePoint({lon}, {lat}), 4326)".format(**values)
    condition = f"{point} && {CIRCLE_AREA_SQL.format(**values)} AND " + WITHIN_SQL.format(
        point=point, center=center, radius=values["radius"]
    )
    params = {f"{prefix}_lat": circle.lat, f"{prefix}_lon": circle.lon}
    return condition, params | {f"{prefix}_radius": circle.radius_m}


def parse_circle(args: Mapping[str, str]) -> Circle | None:
    """`lat`, `lon` and `radius` (metres) together, or none of them."""
    raw = {k: (args.get(k) or "").strip()[:50] for k in CIRCLE_PARAMETERS}
    given = [k for k, v in raw.items() if v]
    if not given:
        return None
    missing = [k for k in CIRCLE_PARAMETERS if not raw[k]]
    if missing:
        raise FilterError(missing[0], "„lat“, „lon“ und „radius“ gehören zusammen.")
    try:
        lat = parse_coordinate(raw["lat"], -90, 90)
    except CoordinateError as exc:
        raise FilterError("lat", str(exc)) from None
    try:
        lon = parse_coordinate(raw["lon"], -180, 180)
    except CoordinateError as exc:
        raise FilterError("lon", str(exc)) from None
    if not raw["radius"].isascii() or not raw["radius"].isdigit():
        raise FilterError("radius", "„radius“ muss eine ganze Zahl von Metern sein.")
    radius = int(raw["radius"])
    if not 1 <= radius <= RADIUS_MAX_M:
        raise FilterError("radius", f"„radius“ muss zwischen 1 und {RADIUS_MAX_M} Metern liegen.")
    return Circle(lat, lon, radius)


def with_default(args: Mapping[str, str]) -> dict[str, str]:
    """The page's query with the default status when none is given: the start page and the
    list show what is going on now; "status=all" asks for everything."""
    result = {k: v for k, v in args.items() if k in FILTER_PARAMETERS}
    if not (result.get("status") or "").strip():
        result["status"] = DEFAULT_STATUS
    return result
