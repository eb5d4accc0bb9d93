"""The public map's data: reports in a viewport, grouped into 64-pixel clusters.

Clusters come from the rollups (zoom ≤ 17): map_cells without a period, map_months for a period,
map_month_statuses for a period with a status (zoom ≤ 14). A period that starts or ends inside a
month counts those partial months from the reports themselves. From zoom 18 on, and for a period
with a category or district, the reports are grouped directly. A cluster of one is sent as the
report itself.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from flask import url_for
from sqlalchemy import text

from app.extensions import db
from app.map.viewport import Viewport
from app.models.map_cell import COARSEST_LEVEL, FINEST_LEVEL, MONTH_STATUS_FINEST_LEVEL
from app.models.report import WORLD_PIXELS
from app.public.cards import Card, cards
from app.public.filters import ReportFilter, day_start, recently_resolved

# Zoom 15 and closer (64-px cells of 2^11 zoom-20 pixels or less) count as a small viewport.
SMALL_VIEW_SHIFT = 11
# The latitude of the zoom-20 pixel row {y} (viewport.lat_of in SQL).
LAT_OF_PY = "degrees(atan(sinh(pi() * (1 - 2 * ({y})::float8 / :world))))"
MONTH_SQL = "date_trunc('month', created_at AT TIME ZONE 'Europe/Berlin')::date"


@dataclass
class Cell:
    gx: int
    gy: int
    n: int
    lon: float
    lat: float


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def split_period(flt: ReportFilter) -> tuple[bool, date | None, date | None, list[tuple]]:
    """Which whole months map_cells can answer, and which partial ranges need the reports.

    Returns (use_cells, first_month, last_month, [(since, until), ...] for the reports)."""
    since, until = flt.since, flt.until
    first = last = None
    if since:
        first = since if since.day == 1 else _next_month(since)
    if until:
        month_ends = _next_month(until) - timedelta(days=1) == until
        last = _month_start(until if month_ends else _month_start(until) - timedelta(days=1))
    if first and last and first > last:
        return False, None, None, [(since, until)]
    raw = []
    if since and first and first != since:
        raw.append((since, first - timedelta(days=1)))
    if until and last and _next_month(last) <= until:
        raw.append((_next_month(last), until))
    return True, first, last, raw


def _range_conditions(ranges: list[tuple], params: dict) -> list[str]:
    """One created_at condition per (since, until) range of days."""
    conditions = []
    for i, (since, until) in enumerate(ranges):
        params[f"t{i}a"], params[f"t{i}b"] = day_start(since), day_start(until, 1)
        conditions.append(f"created_at >= :t{i}a AND created_at < :t{i}b")
    return conditions


def _rollup_query(view: Viewport, flt: ReportFilter, shift: int, params: dict) -> str:
    """Cells from a rollup, plus any partial months counted from the reports."""
    level = min(shift, COARSEST_LEVEL)
    params.update(level=level, extra=shift - level)
    cx0, cy0, cx1, cy1 = view.cell_range(level)
    # One index range per column of cells: a cx range alone would scan every cy of it.
    params.update(cxs=list(range(cx0, cx1 + 1)), cy0=cy0, cy1=cy1)
    in_view = "m.level = :level AND m.cx = ANY(CAST(:cxs AS int[])) AND m.cy BETWEEN :cy0 AND :cy1"
    if not (flt.since or flt.until):
        where, filter_params = flt.where("m")
        params.update(filter_params)
        return _grouped("map_cells", f"{in_view} AND {where}")
    use_months, first, last, partial = split_period(flt)
    # Only a status can narrow a period here (see clusters): map_month_statuses has it.
    where, filter_params = flt.where("m")
    params.update(filter_params)
    months = f"{in_view} AND {where}"
    if first:
        months += " AND m.month >= :first_month"
        params["first_month"] = first
    if last:
        months += " AND m.month <= :last_month"
        params["last_month"] = last
    table = "map_month_statuses" if flt.statuses is not None else "map_months"
    parts = [_grouped(table, months)] if use_months else []
    if partial:
        parts.append(_reports_query(view, flt, shift, params, partial))
    return " UNION ALL ".join(parts)


def _grouped(table: str, where: str) -> str:
    return f"""
        SELECT m.cx >> :extra AS gx, m.cy >> :extra AS gy, sum(m.n) AS n,
               sum(m.sum_lon) AS slon, sum(m.sum_lat) AS slat
        FROM {table} AS m WHERE {where}
        GROUP BY 1, 2"""


def _reports_query(
    view: Viewport, flt: ReportFilter, shift: int, params: dict, ranges: list[tuple] | None
) -> str:
    """Group the reports themselves, from pixel coordinates. Each range of days is a query of
    its own (OR-ing them made PostgreSQL read the table instead of an index)."""
    where, filter_params = flt.where("reports")
    params.update(filter_params)
    params.update(shift=shift, world=WORLD_PIXELS)
    # The cell range keeps a point on the envelope's edge in one cell.
    in_view = _in_cells(view, shift, params)
    if shift <= SMALL_VIEW_SHIFT or ranges is None:
        # A small viewport holds few reports: the GiST index on location finds them first.
        params.update(zip(("w", "s", "e", "n"), view.aligned_bounds(shift), strict=True))
        in_view = f"location && ST_MakeEnvelope(:w, :s, :e, :n, 4326) AND {in_view}"
    # A large one holds many: the period's covering index answers without the table.
    conditions = _range_conditions(ranges, params) if ranges is not None else ["true"]
    picked = " UNION ALL ".join(
        f"SELECT px, py FROM reports WHERE {in_view} AND {where} AND {condition}"
        for condition in conditions
    )
    return _grouped_points(picked)


def _in_cells(view: Viewport, shift: int, params: dict) -> str:
    """The viewport's whole cells as ranges of px and py themselves. The planner's statistics on
    px and py estimate how many reports fall inside; for a range of px >> shift it guessed one
    row, and grouped tens of thousands by sorting them instead of hashing (2-3x the time)."""
    gx0, gy0, gx1, gy1 = view.cell_range(shift)
    params.update(
        rx0=gx0 << shift,
        rx1=((gx1 + 1) << shift) - 1,
        ry0=gy0 << shift,
        ry1=((gy1 + 1) << shift) - 1,
    )
    return "px BETWEEN :rx0 AND :rx1 AND py BETWEEN :ry0 AND :ry1"


def _grouped_points(picked: str) -> str:
    """Cells of the points (px, py) that `picked` selects, at :shift."""
    # Sums in degrees like the rollups: longitude is linear in px, latitude of the mean py.
    return f"""
        SELECT gx, gy, n, (sum_px + 0.5 * n) * 360.0 / :world - 180 * n AS slon,
               n * {LAT_OF_PY.format(y="(sum_py / n + 0.5)")} AS slat
        FROM (
            SELECT px >> :shift AS gx, py >> :shift AS gy, count(*) AS n,
                   sum(px::float8) AS sum_px, sum(py::float8) AS sum_py
            FROM ({picked}) AS picked
            GROUP BY 1, 2
        ) AS grouped
    """


def _current_query(view: Viewport, flt: ReportFilter, shift: int, params: dict) -> str:
    """The default "current" view: the open reports from the rollup (as fast as status=open),
    plus those resolved in the last days, counted from the partial index on closed_at alone
    (see filters.recently_resolved). The two sets do not overlap."""
    rollup = _rollup_query(view, replace(flt, resolved_since=None), shift, params)
    recent, recent_params = replace(flt, statuses=None, resolved_since=None).where("reports", "q")
    params.update(recent_params, q_resolved=flt.resolved_since, shift=shift, world=WORLD_PIXELS)
    # No location: the partial index lacks it.
    picked = (
        f"SELECT px, py FROM reports WHERE {_in_cells(view, shift, params)} "
        f"AND {recent} AND {recently_resolved('reports', 'q')}"
    )
    return rollup + " UNION ALL " + _grouped_points(picked)


def _by_status(flt: ReportFilter, shift: int) -> bool:
    """Whether map_month_statuses answers a period that a filter narrows: a status alone, on its
    levels. A period with a category or district has no rollup: such sets are small, counted
    from the reports and the covering indexes of the period."""
    only_status = flt.category_ids is None and flt.district_ids is None
    plain = flt.statuses is not None and flt.resolved_since is None
    return only_status and plain and shift >= MONTH_STATUS_FINEST_LEVEL


def clusters(view: Viewport, flt: ReportFilter) -> tuple[int, list[Cell]]:
    """The shift used and the non-empty cells in the viewport."""
    shift = max(0, 26 - view.zoom)
    params: dict = {}
    period = flt.since or flt.until
    if shift >= FINEST_LEVEL and flt.resolved_since and not period:
        inner = _current_query(view, flt, shift, params)
    elif shift >= FINEST_LEVEL and (not (period and flt.narrowed) or _by_status(flt, shift)):
        inner = _rollup_query(view, flt, shift, params)
    else:
        ranges = None
        if flt.since or flt.until:
            ranges = [(flt.since or date(2000, 1, 1), flt.until or date(2100, 12, 31))]
        inner = _reports_query(view, flt, shift, params, ranges)
    # Small, many, concurrent queries: parallel workers and JIT only add start-up time.
    db.session.execute(text("SET LOCAL max_parallel_workers_per_gather = 0; SET LOCAL jit = off"))
    rows = db.session.execute(
        text(
            f"""SELECT gx, gy, sum(n) AS n, sum(slon) / sum(n), sum(slat) / sum(n)
                FROM ({inner}) AS parts GROUP BY gx, gy HAVING sum(n) > 0"""
        ),
        params,
    )
    return shift, [Cell(*row) for row in rows.all()]


def singles(cells: list[Cell], shift: int, flt: ReportFilter) -> dict[tuple[int, int], dict]:
    """The one report in each cell that holds exactly one."""
    lonely = [c for c in cells if c.n == 1]
    if not lonely:
        return {}
    where, params = flt.where("r")
    params.update(
        gx=[c.gx for c in lonely],
        gy=[c.gy for c in lonely],
        shift=shift,
        world=WORLD_PIXELS,
        since=flt.start,
        until=flt.end,
    )
    # The cells' envelopes computed here rather than sent as four arrays of floats, whose
    # conversion was most of the Python time of a street view. A hair wider than the cell: the
    # GiST index only preselects, the pixel ranges decide.
    lon, lat = "{x}::float8 / :world * 360 - 180", LAT_OF_PY.format(y="{y}")
    rows = db.session.execute(
        text(
            f"""
            SELECT cell.gx, cell.gy, found.*
            FROM unnest(CAST(:gx AS int[]), CAST(:gy AS int[])) AS cell(gx, gy)
            CROSS JOIN LATERAL (
                SELECT cell.gx << :shift AS x0, ((cell.gx + 1) << :shift) - 1 AS x1,
                       cell.gy << :shift AS y0, ((cell.gy + 1) << :shift) - 1 AS y1
            ) AS px
            CROSS JOIN LATERAL (
                SELECT r.id, r.case_number, r.status, c.code AS category,
                       ST_X(r.location) AS lon, ST_Y(r.location) AS lat
                FROM reports AS r JOIN categories AS c ON c.id = r.category_id
                WHERE r.location && ST_MakeEnvelope(
                        {lon.format(x="px.x0")} - 1e-9, {lat.format(y="(px.y1 + 1)")} - 1e-9,
                        {lon.format(x="(px.x1 + 1)")} + 1e-9, {lat.format(y="px.y0")} + 1e-9,
                        4326)
                  AND r.px BETWEEN px.x0 AND px.x1 AND r.py BETWEEN px.y0 AND px.y1
                  AND {where}
                  AND (CAST(:since AS timestamptz) IS NULL OR r.created_at >= :since)
                  AND (CAST(:until AS timestamptz) IS NULL OR r.created_at < :until)
                LIMIT 1
            ) AS found
            """
        ),
        params,
    ).mappings()
    return {(row["gx"], row["gy"]): dict(row) for row in rows}


def feature_collection(view: Viewport, flt: ReportFilter) -> dict:
    shift, cells = clusters(view, flt)
    reports = singles(cells, shift, flt)
    shown = cards([r["id"] for r in reports.values()])
    features = []
    for cell in cells:
        report = reports.get((cell.gx, cell.gy))
        if report:
            features.append(_report_feature(report, shown.get(report["id"])))
        else:
            features.append(_cluster_feature(cell))
    return {"type": "FeatureCollection", "features": features}


def _point(lon: float, lat: float) -> dict:
    return {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]}


def _report_feature(report: dict, card: Card | None) -> dict:
    """A single report: what its card on the map shows, nothing more (public fields only)."""
    properties = {
        "id": report["case_number"],
        "status": report["status"],
        "category": report["category"],
    }
    if card is not None:
        properties |= {
            "place": card.place,
            "created": card.created_at.isoformat(timespec="seconds"),
            "text": card.text,
            "thumb": url_for("public.photo", name=card.thumbnail) if card.thumbnail else None,
            "supports": card.support_count,
        }
    return {
        "type": "Feature",
        "id": report["case_number"],
        "geometry": _point(report["lon"], report["lat"]),
        "properties": properties,
    }


def _cluster_feature(cell: Cell) -> dict:
    return {
        "type": "Feature",
        "geometry": _point(cell.lon, cell.lat),
        "properties": {"cluster": True, "count": int(cell.n)},
    }
