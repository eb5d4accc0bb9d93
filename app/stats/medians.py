"""Exact rounded medians from duration buckets, without sorting the durations.

The page shows percentile_cont(0.5) of the durations in seconds (as float8), divided by 86400 and
rounded with round(x, 1). A bucket holds the durations that show the same rounded value: its
bounds lie halfway between two tenths of a day, a duration exactly on a bound has a bucket of its
own (float rounding decides which way it goes), and so do durations below zero (next to zero
they show "-0,0", not "0,0"). Rounding is monotone, so the mean of two durations of one bucket
shows that bucket's value too; only when the two middle durations lie in different buckets is
their mean needed, and then they are the longest of one bucket and the shortest of the next,
both known exactly.
"""

from __future__ import annotations

from collections.abc import Iterable

# count, shortest and longest duration in microseconds (exact, from the interval)
Bucket = tuple[int, int, int]

SECONDS_PER_DAY = 86400
MICROSECONDS = 1_000_000


def merge(into: dict, buckets: dict) -> None:
    """Adds the buckets of one age class to those of a period (same keys: same bucket)."""
    for key, (count, shortest, longest) in buckets.items():
        known = into.get(key)
        if known is None:
            into[key] = (count, shortest, longest)
        else:
            into[key] = (known[0] + count, min(known[1], shortest), max(known[2], longest))


def median_days(buckets: Iterable[Bucket]) -> float | None:
    """The median in days rounded to 0.1, exactly as round(percentile_cont(0.5) / 86400, 1)."""
    ordered = sorted(buckets, key=lambda bucket: bucket[1])
    total = sum(bucket[0] for bucket in ordered)
    if not total:
        return None
    lower = _position(ordered, (total - 1) // 2)
    upper = _position(ordered, total // 2)
    if lower == upper:
        return round(_seconds(ordered[lower][1]) / SECONDS_PER_DAY, 1)
    low, high = _seconds(ordered[lower][2]), _seconds(ordered[upper][1])
    # percentile_cont interpolates in float8 as lo + 0.5 * (hi - lo) (float8_lerp).
    return round((low + 0.5 * (high - low)) / SECONDS_PER_DAY, 1)


def _position(ordered: list[Bucket], rank: int) -> int:
    """Index of the bucket that holds the duration of this rank (0 = shortest)."""
    seen = 0
    for index, (count, _, _) in enumerate(ordered):
        seen += count
        if rank < seen:
            return index
    raise ValueError(rank)


def _seconds(microseconds: int) -> float:
    # Exact integer division rounds once, as PostgreSQL's numeric-to-float8 cast does.
    return microseconds / MICROSECONDS
