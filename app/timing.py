"""A Server-Timing header on every response: the application's own time, for monitoring and
for the benchmarks, which compare it with the time the database needed."""

from __future__ import annotations

import time

from flask import Flask, Response, g


def _start() -> None:
    g.started = time.perf_counter()


def _stop(response: Response) -> Response:
    started = g.pop("started", None)
    if started is not None:
        response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
    return response


def init_app(app: Flask) -> None:
    app.before_request(_start)
    app.after_request(_stop)
