"""Shared pieces of the benchmarks: the bench database and an app bound to it."""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from config import Config, _local_db  # noqa: E402


def bench_url(name: str = "maengelmelder_bench", variable: str = "BENCH_DATABASE_URL") -> str:
    """The URL in `variable`, or database `name` on the project-local cluster (created)."""
    url = os.environ.get(variable) or _local_db(name)
    database = make_url(url).database
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": database}
        )
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{database}"'))
    admin.dispose()
    return url


def bench_config(name: str = "maengelmelder_bench", variable: str = "BENCH_DATABASE_URL") -> type:
    url = bench_url(name, variable)

    class BenchConfig(Config):
        SQLALCHEMY_DATABASE_URI = url
        RATELIMIT_ENABLED = False

    return BenchConfig


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


@contextmanager
def database_time(engine: Engine) -> Iterator[list[float]]:
    """A list whose last item grows by the seconds spent in the database's cursors while the
    block runs: append 0.0 before each measured request (the first item collects the rest)."""
    spent: list[float] = [0.0]

    def before(conn, cursor, statement, parameters, context, executemany):
        conn.info["t0"] = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany):
        spent[-1] += time.perf_counter() - conn.info.pop("t0")

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        yield spent
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)


# The figures of one `make bench` run (git-ignored), which bench/check.py compares with the
# committed bench/baseline.json.
RESULTS = ROOT / "bench" / "results.json"


def report(name: str, value: float, unit: str, floor: float | None = None) -> None:
    """One figure of this run: printed, and kept for bench/check.py. `floor` is the same work
    done without the app (the bare SQL over psycopg, plain Pillow, a linear extrapolation): the
    ratio value / floor is what check.py compares, as the ratio varies less between machines
    and runs than the time itself."""
    line = f"{name}: {value:,.1f} {unit}"
    if floor:
        line += f" (floor {floor:,.1f} {unit}, ratio {value / floor:.2f})"
    print(line, flush=True)
    figures = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    figures[name] = {"value": value, "unit": unit, "floor": floor}
    RESULTS.write_text(json.dumps(figures, indent=1, sort_keys=True) + "\n")
