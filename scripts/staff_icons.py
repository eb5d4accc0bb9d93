"""Draws the staff app's icons (app/static/icons/staff-*.png, committed): the favicon's map pin
on the brand blue, as plain shapes, so that no SVG renderer is needed. Run again after a change:
    .venv/bin/python scripts/staff_icons.py
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

BLUE = (8, 71, 133, 255)
WHITE = (255, 255, 255, 255)
FOLDER = Path(__file__).resolve().parents[1] / "app" / "static" / "icons"


def pin(draw: ImageDraw.ImageDraw, size: int, scale: float) -> None:
    """The pin of favicon.svg (a 32-unit box), scaled around the icon's centre."""
    unit = size * scale / 32
    offset = (size - 32 * unit) / 2

    def at(x: float, y: float) -> tuple[float, float]:
        return (offset + x * unit, offset + y * unit)

    head = [at(8, 5), at(24, 21)]
    draw.ellipse(head, fill=WHITE)
    draw.polygon([at(8.6, 16), at(23.4, 16), at(16, 27)], fill=WHITE)
    draw.ellipse([at(13, 10), at(19, 16)], fill=BLUE)


def icon(size: int, maskable: bool) -> Image.Image:
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if maskable:  # full bleed; the pin inside the safe circle (80 %)
        draw.rectangle([0, 0, size, size], fill=BLUE)
        pin(draw, size, 0.72)
    else:
        draw.rounded_rectangle([0, 0, size - 1, size - 1], radius=size * 6 // 32, fill=BLUE)
        pin(draw, size, 1.0)
    return image


def main() -> None:
    for size in (192, 512):
        icon(size, False).save(FOLDER / f"staff-{size}.png", optimize=True)
    icon(512, True).save(FOLDER / "staff-maskable-512.png", optimize=True)


if __name__ == "__main__":
    main()
