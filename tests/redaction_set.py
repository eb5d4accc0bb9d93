"""The redaction test set: photos with known faces and number plates, and photos with neither.

Built from the public-domain and CC0 photos in tests/data/redaction (see LICENCE.md there) and
German number plates drawn here, composed into 2048 × 1536 scenes like a stored upload. Each
case carries the true boxes, so tests and bench/redaction.py count what the detector finds
(recall) and what it finds in addition (false positives).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FOLDER = Path(__file__).parent / "data" / "redaction"
SCENE = (2048, 1536)
# Eileen Collins' face in astronaut.jpg (512 × 512): forehead to chin, ear to ear.
ASTRONAUT_FACE = (172, 58, 108, 118)
# A German plate (DIN 74069) is 520 × 110 mm.
PLATE_RATIO = 520 / 110


@dataclass(frozen=True)
class Case:
    name: str
    image: Image.Image
    truth: tuple[tuple[str, tuple[int, int, int, int]], ...]  # (kind, (x, y, w, h))

    def jpeg(self) -> bytes:
        buffer = io.BytesIO()
        self.image.save(buffer, format="JPEG", quality=88)
        return buffer.getvalue()


def source(name: str) -> Image.Image:
    with Image.open(FOLDER / f"{name}.jpg") as image:
        return image.convert("RGB")


def german_plate(text: str, height: int) -> Image.Image:
    """A plate as drawn by DIN 74069: white, black rim, blue EU strip, black letters."""
    width = round(height * PLATE_RATIO)
    plate = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(plate)
    draw.rectangle((0, 0, width - 1, height - 1), outline="black", width=max(2, height // 22))
    draw.rectangle((3, 3, round(height * 0.38), height - 4), fill=(0, 51, 153))
    font = ImageFont.load_default(size=round(height * 0.72))
    draw.text((round(height * 0.5), round(height * 0.1)), text, fill="black", font=font)
    return plate


def _scene(background: str) -> Image.Image:
    return source(background).resize(SCENE, Image.Resampling.BICUBIC)


def _with_face(background: str, face_px: int, at: tuple[int, int]) -> Case:
    """The astronaut scaled so that her face is `face_px` wide, pasted at `at`."""
    scene = _scene(background)
    scale = face_px / ASTRONAUT_FACE[2]
    person = source("astronaut").resize((round(512 * scale), round(512 * scale)))
    scene.paste(person, at)
    fx, fy, fw, fh = (round(v * scale) for v in ASTRONAUT_FACE)
    return Case(
        f"face-{face_px}px-on-{background}", scene, (("face", (at[0] + fx, at[1] + fy, fw, fh)),)
    )


def _with_plate(background: str, text: str, height: int, at: tuple[int, int]) -> Case:
    scene = _scene(background)
    plate = german_plate(text, height)
    scene.paste(plate, at)
    box = (at[0], at[1], plate.width, plate.height)
    return Case(f"plate-{height}px-on-{background}", scene, (("plate", box),))


def _both() -> Case:
    scene = _scene("coffee")
    faced = _with_face("coffee", 160, (200, 300))
    plate = german_plate("SG-MM 1234", 70)
    scene = faced.image
    scene.paste(plate, (1300, 1200))
    truth = (*faced.truth, ("plate", (1300, 1200, plate.width, plate.height)))
    return Case("face-and-plate-on-coffee", scene, truth)


def cases() -> list[Case]:
    """Every case: faces of 50 to 400 px, plates 40 to 120 px high, and three without either."""
    astronaut = source("astronaut")
    return [
        Case("astronaut", astronaut, (("face", ASTRONAUT_FACE),)),
        _with_face("rocket", 60, (900, 700)),
        _with_face("rocket", 120, (300, 400)),
        _with_face("coffee", 250, (1100, 200)),
        _with_face("chelsea", 400, (100, 100)),
        _with_plate("rocket", "SG-AB 123", 40, (1200, 1100)),
        _with_plate("coffee", "K-XY 4711", 60, (300, 1200)),
        _with_plate("chelsea", "D-MM 2026", 90, (900, 1000)),
        _with_plate("rocket", "W-OP 42", 120, (600, 500)),
        _both(),
        Case("coffee", _scene("coffee"), ()),
        Case("chelsea", _scene("chelsea"), ()),
        Case("rocket", _scene("rocket"), ()),
    ]


def covered(box: tuple[int, int, int, int], regions: list) -> bool:
    """True when at least 80 % of the true box lies inside one found region."""
    x, y, w, h = box
    for r in regions:
        width = min(x + w, r.x + r.w) - max(x, r.x)
        height = min(y + h, r.y + r.h) - max(y, r.y)
        if width > 0 and height > 0 and width * height >= 0.8 * w * h:
            return True
    return False


def touches_truth(region: object, truth: tuple) -> bool:
    """A found region is no false positive when it overlaps a true box."""
    for _kind, (x, y, w, h) in truth:
        r = region
        if min(x + w, r.x + r.w) > max(x, r.x) and min(y + h, r.y + r.h) > max(y, r.y):  # type: ignore[attr-defined]
            return True
    return False
