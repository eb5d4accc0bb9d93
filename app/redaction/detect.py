"""Find faces and number plates in a stored photo, on this server and without any network.

OpenCV's Haar cascades ship inside opencv-python-headless 4.x (`cv2.data`), so nothing is
downloaded at run time. They run on a greyscale copy decoded at a reduced size straight from the
JPEG (DCT scaling), which keeps a 12-megapixel upload within the 300 ms budget on 2 cores
(bench/redaction.py). A region is a suggestion: staff confirm, drop or add regions before the
photo is published (or, with PUBLISHING=immediate, all suggestions are blurred at once).
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

# The long side the detectors see. Frontal faces and plates from about 45 px of the stored
# 2048-px photo on; profile faces (twice the work: both directions) from about 95 px. Sizes and
# scale steps were tuned on the test set (tests/redaction_set.py) against the time budget.
FRONTAL_SIDE = 1024
PROFILE_SIDE = 480
MIN_FACE = 22
MIN_PLATE = (36, 10)
# A suggestion grows by this share on every side: a blur that ends at the chin or cuts a digit
# in half still shows who or which car it was.
MARGIN = 0.15

MAX_FOUND = 30
# Found by a detector, or drawn by staff; their labels are the staff page's (region_label).
KINDS = ("face", "plate", "manual")


@dataclass(frozen=True)
class Region:
    """A rectangle in pixels of the stored photo; `on` means it is (to be) blurred."""

    x: int
    y: int
    w: int
    h: int
    kind: str
    on: bool = True

    def as_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, value: dict) -> Region:
        return cls(
            int(value["x"]),
            int(value["y"]),
            int(value["w"]),
            int(value["h"]),
            str(value["kind"]),
            bool(value.get("on", True)),
        )


@cache
def _cascade(name: str) -> cv2.CascadeClassifier:
    # The folder cv2.data.haarcascades names (cv2.data has no type hints).
    cascade = cv2.CascadeClassifier(str(Path(cv2.__file__).parent / "data" / name))
    if cascade.empty():
        raise RuntimeError(f"OpenCV cascade {name} missing")
    return cascade


def find_regions(jpeg: bytes) -> list[Region]:
    """Faces and number plates in a JPEG, in its own pixel coordinates (biggest first)."""
    with Image.open(io.BytesIO(jpeg)) as image:
        size = image.size
        # draft() lets the JPEG decoder scale by 1/2, 1/4 … while decoding: far cheaper than
        # decoding 2048 px and shrinking afterwards.
        image.draft("L", (FRONTAL_SIDE, FRONTAL_SIDE))
        grey = image.convert("L")
    grey.thumbnail((FRONTAL_SIDE, FRONTAL_SIDE), Image.Resampling.BILINEAR)
    found = _faces(grey, size) + _plates(grey, size)
    # A crowd gives many faces; the biggest MAX_FOUND leave room for regions staff draw.
    return sorted(_merged(found), key=lambda r: -r.w * r.h)[:MAX_FOUND]


def _faces(grey: Image.Image, size: tuple[int, int]) -> list[Region]:
    pixels = np.asarray(grey)
    frontal = _cascade("haarcascade_frontalface_alt2.xml").detectMultiScale(
        pixels, scaleFactor=1.25, minNeighbors=4, minSize=(MIN_FACE, MIN_FACE)
    )
    found = _scaled(frontal, grey.size, size, "face")
    small = grey.copy()
    small.thumbnail((PROFILE_SIDE, PROFILE_SIDE), Image.Resampling.BILINEAR)
    pixels = np.asarray(small)
    profile = _cascade("haarcascade_profileface.xml")
    # The cascade knows faces turned one way; the mirrored image finds the other way.
    for mirrored in (False, True):
        source = np.ascontiguousarray(pixels[:, ::-1]) if mirrored else pixels
        hits = profile.detectMultiScale(
            source, scaleFactor=1.3, minNeighbors=5, minSize=(MIN_FACE, MIN_FACE)
        )
        boxes = [
            (small.width - x - w, y, w, h) if mirrored else (x, y, w, h) for x, y, w, h in hits
        ]
        found += _scaled(boxes, small.size, size, "face")
    return found


def _plates(grey: Image.Image, size: tuple[int, int]) -> list[Region]:
    hits = _cascade("haarcascade_russian_plate_number.xml").detectMultiScale(
        np.asarray(grey), scaleFactor=1.25, minNeighbors=3, minSize=MIN_PLATE
    )
    return _scaled(hits, grey.size, size, "plate")


def _scaled(
    hits: Iterable, seen: tuple[int, int], size: tuple[int, int], kind: str
) -> list[Region]:
    """Rectangles found at `seen` size, grown by MARGIN, in pixels of `size`, inside the photo."""
    factor = size[0] / seen[0]
    regions = []
    for x, y, w, h in hits:
        grow_x, grow_y = w * MARGIN, h * MARGIN
        left, top = max(0.0, (x - grow_x) * factor), max(0.0, (y - grow_y) * factor)
        right = min(float(size[0]), (x + w + grow_x) * factor)
        bottom = min(float(size[1]), (y + h + grow_y) * factor)
        regions.append(
            Region(int(left), int(top), int(right - left + 0.5), int(bottom - top + 0.5), kind)
        )
    return regions


def _merged(regions: list[Region]) -> list[Region]:
    """One region where a frontal and a profile detector both found the same face."""
    kept: list[Region] = []
    for region in sorted(regions, key=lambda r: -r.w * r.h):
        if not any(r.kind == region.kind and _overlap(r, region) > 0.5 for r in kept):
            kept.append(region)
    return kept


def _overlap(a: Region, b: Region) -> float:
    """The share of the smaller rectangle that lies inside the other."""
    width = min(a.x + a.w, b.x + b.w) - max(a.x, b.x)
    height = min(a.y + a.h, b.y + b.h) - max(a.y, b.y)
    if width <= 0 or height <= 0:
        return 0.0
    return width * height / min(a.w * a.h, b.w * b.h)
