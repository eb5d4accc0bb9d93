"""Builders for test input: images made with Pillow, and the Solingen demo geometry."""

from __future__ import annotations

import io
import json
from fractions import Fraction
from pathlib import Path

from PIL import Image
from shapely.geometry import shape

GEO = Path(__file__).resolve().parents[1] / "data" / "geo"

# Well inside Solingen-Mitte (Neumarkt, near the Rathaus) and outside the city (Wuppertal Hbf).
MITTE = (51.1705, 7.0845)
WUPPERTAL = (51.2546, 7.1497)


def jpeg(size: tuple[int, int] = (640, 480), gps: tuple[float, float] | None = None) -> bytes:
    image = Image.new("RGB", size, (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "TestCam"  # Make
    exif[0x0110] = "Model X"  # Model
    if gps:
        exif[0x8825] = {
            1: "N" if gps[0] >= 0 else "S",
            2: _dms(abs(gps[0])),
            3: "E" if gps[1] >= 0 else "W",
            4: _dms(abs(gps[1])),
        }
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def _dms(value: float) -> tuple[Fraction, Fraction, Fraction]:
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round((value - degrees - minutes / 60) * 3600, 4)
    return (Fraction(degrees), Fraction(minutes), Fraction(seconds).limit_denominator(10000))


def png_bomb(side: int = 20000) -> bytes:
    """A tiny file that decodes to side×side pixels."""
    buffer = io.BytesIO()
    Image.new("1", (side, side)).save(buffer, "PNG")
    return buffer.getvalue()


def demo_districts() -> list[dict]:
    return json.loads((GEO / "solingen-stadtbezirke-demo.geojson").read_text())["features"]


def inside_point(feature: dict) -> tuple[float, float]:
    """(lat, lon) of a point guaranteed to lie inside the feature's polygon."""
    point = shape(feature["geometry"]).representative_point()
    return point.y, point.x
