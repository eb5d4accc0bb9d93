"""The orphan photo files go without anyone remembering `flask media sweep`: the worker that
`make run` and the deployment start (`flask outbox work`) sweeps at start-up and then every
MEDIA_SWEEP_INTERVAL_HOURS, and a failed sweep is tried again within the hour."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

from app.media.sweep import Schedule
from tests.fixtures.media import DAY, orphan, with_a_photo
from tests.server_support import ROOT

HOUR = 3600


class Clock:
    """The worker's monotonic clock, moved on by the test."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_it_sweeps_at_start_then_only_when_a_day_has_passed(app, client, uploads):
    with_a_photo(client)
    clock = Clock()
    schedule = Schedule(24 * HOUR, clock=clock)
    first = orphan(uploads, 2 * DAY)
    assert schedule.run_if_due()  # at start-up
    assert not first.exists()

    second = orphan(uploads, 2 * DAY)
    clock.now += 23 * HOUR
    assert not schedule.run_if_due()
    assert second.exists()
    clock.now += HOUR
    assert schedule.run_if_due()
    assert not second.exists()


def test_a_failed_sweep_is_tried_again_within_the_hour(app, client, uploads):
    """No photo in the database but photo files in the folder: the sweep refuses (wrong
    database?) and deletes nothing; the worker carries on and tries again in an hour."""
    clock = Clock()
    schedule = Schedule(24 * HOUR, clock=clock)
    old = orphan(uploads, 2 * DAY)
    assert not schedule.run_if_due()
    assert old.exists()
    with_a_photo(client)  # the right database after all
    clock.now += HOUR - 1
    assert not schedule.run_if_due()
    clock.now += 1
    assert schedule.run_if_due()
    assert not old.exists()


def test_the_worker_sweeps_at_start_up(app, tmp_path):
    env = dict(
        os.environ,
        FLASK_APP="wsgi.py",
        DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        UPLOAD_FOLDER=str(tmp_path),
        MAIL_SERVER="",
        OUTBOX_POLL_SECONDS="1",
    )
    worker = subprocess.Popen(
        [sys.executable, "-m", "flask", "outbox", "work"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(worker.stdout), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 60
        while not any("verwaiste Fotodateien gelöscht" in line for line in lines):
            assert worker.poll() is None, "".join(lines)
            assert time.monotonic() < deadline, "".join(lines)
            time.sleep(0.1)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
    assert "0 verwaiste Fotodateien gelöscht (0.0 MB), älter als 24 Stunden." in "".join(lines)
