"""What the review form posts about a photo's regions, read into Regions.

Each found region is a checkbox `an` with its index (checked: blurred). Regions drawn on the
photo come as `neu` values "x,y,w,h" in pixels of the photo (the overlay's script writes them);
without JavaScript one more region can be given in percent (`neu-x`, `neu-y`, `neu-breite`,
`neu-hoehe`).
"""

from __future__ import annotations

import math

from werkzeug.datastructures import MultiDict

from app.models import Photo
from app.redaction.detect import Region
from app.redaction.service import MAX_REGIONS, RegionError, regions_of

PERCENT_FIELDS = ("neu-x", "neu-y", "neu-breite", "neu-hoehe")


def posted_regions(form: MultiDict, photo: Photo) -> list[Region]:
    known = regions_of(photo)
    chosen = {_index(v, len(known)) for v in form.getlist("an")}
    regions = [Region(r.x, r.y, r.w, r.h, r.kind, on=i in chosen) for i, r in enumerate(known)]
    drawn = form.getlist("neu")
    if len(drawn) > MAX_REGIONS:
        raise RegionError(f"Höchstens {MAX_REGIONS} Bereiche pro Foto.")
    regions += [_drawn(v) for v in drawn if v.strip()]
    typed = [(form.get(name) or "").strip() for name in PERCENT_FIELDS]
    if any(typed):
        regions.append(_in_percent(typed, photo))
    return regions


def _index(raw: str, count: int) -> int:
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 4 or int(raw) >= count:
        raise RegionError("Unbekannter Bereich.")
    return int(raw)


def _drawn(raw: str) -> Region:
    parts = raw.split(",")
    digits = [p.strip() for p in parts]
    if len(parts) != 4 or not all(d.isascii() and d.isdigit() and len(d) <= 6 for d in digits):
        raise RegionError("Ein gezeichneter Bereich ist unlesbar.")
    x, y, w, h = (int(d) for d in digits)
    return Region(x, y, w, h, "manual")


def _in_percent(typed: list[str], photo: Photo) -> Region:
    try:
        x, y, w, h = (float(v.replace(",", ".")) for v in typed)
        if not all(math.isfinite(v) for v in (x, y, w, h)):
            raise ValueError
    except ValueError:
        raise RegionError(
            "Bitte für den neuen Bereich alle vier Angaben als Zahl in Prozent eintragen."
        ) from None
    if not all(0 <= v <= 100 for v in (x, y, w, h)):
        raise RegionError("Die Angaben für den neuen Bereich liegen zwischen 0 und 100 %.")
    width, height = photo.width, photo.height
    return Region(
        round(x * width / 100),
        round(y * height / 100),
        min(round(w * width / 100), width - round(x * width / 100)),
        min(round(h * height / 100), height - round(y * height / 100)),
        "manual",
    )
