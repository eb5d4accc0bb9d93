"""The map's viewport and Web-Mercator pixel arithmetic (zoom 20, as in reports.px/py)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from app.models.report import WORLD_PIXELS
from app.public.filters import FilterError

MAX_LAT = 85.0511
MAX_ZOOM = 22
MAX_CELLS = 80 * 80


def px(lon: float) -> int:
    return math.floor((lon + 180) / 360 * WORLD_PIXELS)


def py(lat: float) -> int:
    lat = math.radians(max(-MAX_LAT, min(MAX_LAT, lat)))
    return math.floor(
        (1 - math.log(math.tan(lat) + 1 / math.cos(lat)) / math.pi) / 2 * WORLD_PIXELS
    )


def lon_of(x: int) -> float:
    return x / WORLD_PIXELS * 360 - 180


def lat_of(y: int) -> float:
    return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / WORLD_PIXELS))))


def cell_bounds(gx: int, gy: int, shift: int) -> tuple[float, float, float, float]:
    """(west, south, east, north) of a cell."""
    size = 1 << shift
    return (
        lon_of(gx * size),
        lat_of((gy + 1) * size),
        lon_of((gx + 1) * size),
        lat_of(gy * size),
    )


@dataclass(frozen=True)
class Viewport:
    west: float
    south: float
    east: float
    north: float
    zoom: int

    def cell_range(self, shift: int) -> tuple[int, int, int, int]:
        """(x0, y0, x1, y1) of the cells the viewport touches; y grows southwards."""
        return (
            px(self.west) >> shift,
            py(self.north) >> shift,
            min(px(self.east), WORLD_PIXELS - 1) >> shift,
            py(self.south) >> shift,
        )

    def aligned_bounds(self, shift: int) -> tuple[float, float, float, float]:
        """The viewport grown to whole cells, so every cell is counted completely."""
        x0, y0, x1, y1 = self.cell_range(shift)
        west, _, _, north = cell_bounds(x0, y0, shift)
        _, south, east, _ = cell_bounds(x1, y1, shift)
        return west, south, east, north


def parse_viewport(args: dict[str, str]) -> Viewport:
    raw_bbox = (args.get("bbox") or "").strip()
    parts = raw_bbox.split(",")
    if len(parts) != 4:
        raise FilterError("bbox", "„bbox“ muss vier Zahlen haben: West,Süd,Ost,Nord.")
    try:
        west, south, east, north = (float(p) for p in parts)
    except ValueError:
        raise FilterError("bbox", "„bbox“ enthält keine gültigen Zahlen.") from None
    if not all(math.isfinite(v) for v in (west, south, east, north)):
        raise FilterError("bbox", "„bbox“ muss endliche Zahlen enthalten.")
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        raise FilterError("bbox", "„bbox“ muss West < Ost und Süd < Nord in WGS84 sein.")
    raw_zoom = (args.get("zoom") or "").strip()
    if not raw_zoom.isdigit() or int(raw_zoom) > MAX_ZOOM:
        raise FilterError("zoom", f"„zoom“ muss eine ganze Zahl von 0 bis {MAX_ZOOM} sein.")
    view = Viewport(west, south, east, north, int(raw_zoom))
    x0, y0, x1, y1 = view.cell_range(max(0, 26 - view.zoom))
    # 64-px cells: 80 x 80 is a 5120-px screen. More means a bbox that fits no screen at that
    # zoom, and an answer that would grow with the number of reports.
    if (x1 - x0 + 1) * (y1 - y0 + 1) > MAX_CELLS:
        raise FilterError("bbox", "„bbox“ ist für diese Zoomstufe zu groß.")
    return view
