"""The worker as a real process (`flask outbox work`), killed with SIGKILL in the middle of a
batch — while the SMTP server is still taking a mail — and started again: every mail arrives
once. (Only a kill in the instant after the server accepted a mail and before the worker marked
it could deliver it twice; it then carries its one Message-ID, so mail programs show it once.)
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import text

from app.extensions import db
from tests.mailbox import Mailbox

ROOT = Path(__file__).resolve().parents[1]
MAILS = 12


@pytest.fixture
def committed_mails(app):
    """Mails the worker process can see: committed for real, removed again afterwards."""
    with db.engine.begin() as connection:
        for i in range(MAILS):
            connection.execute(
                text(
                    "INSERT INTO outbox_mails (message_id, recipient, subject, body_text, "
                    "body_html, headers, kind, state, attempts) VALUES (:mid, :to, :subject, "
                    "'Text', '<p>Text</p>', '{}', 'kill-test', 'pending', 0)"
                ),
                {"mid": f"<kill-{i}@example.org>", "to": f"p{i}@example.org", "subject": f"M{i}"},
            )
    yield
    with db.engine.begin() as connection:
        connection.execute(text("DELETE FROM outbox_mails WHERE kind = 'kill-test'"))
        # The worker also computed the transparency figures; later tests expect none committed.
        connection.execute(text("DELETE FROM statistics_snapshots"))


def worker(app, port: int) -> subprocess.Popen:
    env = dict(
        os.environ,
        FLASK_APP="wsgi.py",
        DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=str(port),
        OUTBOX_POLL_SECONDS="1",
        MAIL_SENDING_TIMEOUT="2",  # a dead worker's claim runs out quickly
    )
    flask = [sys.executable, "-m", "flask", "outbox", "work"]
    return subprocess.Popen(
        flask, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )


def unsent() -> int:
    with db.engine.connect() as connection:
        query = "SELECT count(*) FROM outbox_mails WHERE kind = 'kill-test' AND state <> 'sent'"
        return connection.execute(text(query)).scalar()


def wait_for(condition, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_a_killed_worker_loses_no_mail_and_doubles_none(app, committed_mails):
    box = Mailbox(delay=0.4).start()
    try:
        first = worker(app, box.port)
        # Kill while the server is still busy with the fourth mail: sent, but never marked.
        wait_for(lambda: len(box.messages) >= 3)
        time.sleep(0.2)
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        assert unsent() > 0, "the kill came too late to test anything"

        second = worker(app, box.port)
        wait_for(lambda: unsent() == 0)
        second.send_signal(signal.SIGTERM)
        assert second.wait(15) == 0
    finally:
        box.stop()
    ids = Counter(m["Message-ID"] for m in box.messages)
    assert set(ids) == {f"<kill-{i}@example.org>" for i in range(MAILS)}
    # The mail in flight at the kill was dropped by the server and sent again after restart;
    # had the kill hit the instant after acceptance, it would have come twice with one id.
    assert sum(ids.values()) - MAILS <= 1
