"""Benchmark: `process_photo` on a 12-megapixel camera JPEG against plain Pillow doing the same
work (decode, turn upright, shrink to 2048 px, 400 px thumbnail, both encoded as the app does).

    .venv/bin/python bench/photos.py [--rounds N]

The photo is made here: a smooth scene with grain (compresses like a real photo, stays under
the 10 MB upload limit), rotated by its EXIF orientation and carrying a GPS position.
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from collections.abc import Callable

from common import report
from PIL import Image, ImageOps

from app.media.images import JPEG_QUALITY, process_photo

SIZE = (4000, 3000)


def camera_photo() -> bytes:
    scene = Image.merge(
        "RGB",
        (
            Image.linear_gradient("L").resize(SIZE),
            Image.radial_gradient("L").resize(SIZE),
            Image.effect_noise(SIZE, 40).point(lambda v: v // 2 + 64),
        ),
    )
    grain = Image.effect_noise(SIZE, 12).convert("RGB")
    photo = Image.blend(scene, grain, 0.15)
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated: the camera was held upright
    exif.get_ifd(0x8825).update({1: "N", 2: (51.0, 10.0, 12.5), 3: "E", 4: (7.0, 5.0, 1.0)})
    buffer = io.BytesIO()
    photo.save(buffer, format="JPEG", quality=92, exif=exif)
    return buffer.getvalue()


def plain_pillow(raw: bytes) -> tuple[bytes, bytes]:
    """The same outputs with nothing but Pillow: no checks, no position, no colour profile."""
    with Image.open(io.BytesIO(raw)) as image:
        image.load()
        ImageOps.exif_transpose(image, in_place=True)
        photo = image.convert("RGB")
    photo.thumbnail((2048, 2048), Image.Resampling.LANCZOS)
    thumb = photo.resize(_contained(photo.size, 400), Image.Resampling.LANCZOS, reducing_gap=2.0)
    return _jpeg(photo), _jpeg(thumb)


def _contained(size: tuple[int, int], limit: int) -> tuple[int, int]:
    width, height = size
    scale = limit / max(width, height)
    return (max(1, round(width * scale)), max(1, round(height * scale)))


def _jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return buffer.getvalue()


def median_time(work: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    raw = camera_photo()
    processed = process_photo(raw)
    photo, thumb = plain_pillow(raw)
    # Same work: the same sizes and, pixel for pixel, the same JPEGs.
    assert (processed.data, processed.thumbnail) == (photo, thumb), "outputs differ"
    # Interleaved, so that a neighbour's load hits both alike, and each goes first every other
    # round: the one after the other finds the memory the other has just freed.
    app_times: list[float] = []
    bare_times: list[float] = []
    runs = [(app_times, lambda: process_photo(raw)), (bare_times, lambda: plain_pillow(raw))]
    for round_ in range(args.rounds):
        for times, work in runs if round_ % 2 else reversed(runs):
            times.append(median_time(work, 1))
    app, bare = statistics.median(app_times), statistics.median(bare_times)
    print(f"photo: {len(raw) / 1e6:.1f} MB, {SIZE[0]} x {SIZE[1]} px, EXIF orientation 6 and GPS")
    report("12 MP photo processed", app * 1000, "ms", floor=bare * 1000)


if __name__ == "__main__":
    main()
