"""Benchmark: what the search for faces and number plates adds to an upload, and how well it
finds them.

    .venv/bin/python bench/redaction.py [--rounds N]

Timed on 12-megapixel camera photos (4000 × 3000): the synthetic one of bench/photos.py and the
test set's photo with a face and a plate scaled up to 12 MP (fine detail is where the cascades
work hardest). Each figure is the upload's processing with the search — and, where something
is found, the blurred photo and thumbnail written anew — against the processing alone (the
floor); the budget is 300 ms added per photo. Then recall and false positives on the test set
(tests/redaction_set.py), the figures the README quotes; the detector was tuned on the same set,
so its recall here is an upper bound for real photos.
"""

from __future__ import annotations

import argparse
import io
import statistics
import time

from common import report
from photos import camera_photo
from PIL import Image

from app.media.images import process_photo
from app.redaction.blur import blurred
from app.redaction.detect import find_regions
from tests.redaction_set import cases, covered, touches_truth


def busy_photo() -> bytes:
    case = next(c for c in cases() if c.name == "face-and-plate-on-coffee")
    buffer = io.BytesIO()
    case.image.resize((4000, 3000), Image.Resampling.BICUBIC).save(buffer, "JPEG", quality=92)
    return buffer.getvalue()


def upload(raw: bytes, search: bool) -> None:
    """What an upload costs, with the search and (when something is found) the blurred files."""
    stored = process_photo(raw)
    if search and (regions := find_regions(stored.data)):
        blurred(stored.data, regions, thumb_size=400)


def timed(raw: bytes, rounds: int) -> tuple[float, float]:
    """Median ms of processing with and without the search, interleaved."""
    with_search: list[float] = []
    without: list[float] = []
    for round_ in range(rounds):
        order = [(with_search, True), (without, False)]
        for times, search in order if round_ % 2 else reversed(order):
            started = time.perf_counter()
            upload(raw, search)
            times.append((time.perf_counter() - started) * 1000)
    return statistics.median(with_search), statistics.median(without)


def quality() -> None:
    found = total = false = 0
    searches = []
    for case in cases():
        stored = process_photo(case.jpeg()).data
        started = time.perf_counter()
        regions = find_regions(stored)
        searches.append((time.perf_counter() - started) * 1000)
        found += sum(covered(box, regions) for _, box in case.truth)
        total += len(case.truth)
        false += sum(not touches_truth(r, case.truth) for r in regions)
    print(f"test set: {len(cases())} photos, {total} faces and plates")
    report("redaction recall on the test set", 100 * found / total, "%")
    report("redaction false positives on the test set", false, "regions")
    report("search per stored photo, median of the set", statistics.median(searches), "ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    for label, raw in (("camera", camera_photo()), ("face and plate", busy_photo())):
        app, floor = timed(raw, args.rounds)
        print(f"{label}: the search (and blur) adds {app - floor:.0f} ms (budget 300 ms)")
        report(f"12 MP upload with face and plate search ({label})", app, "ms", floor=floor)
    quality()


if __name__ == "__main__":
    main()
