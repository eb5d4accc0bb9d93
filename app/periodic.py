"""Jobs inside the long-running worker (`flask outbox work`): the orphan photo sweep, the area
alerts' daily digest. So they run without a cron job, and a worker restarted now and then
still runs them."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from app.extensions import db

log = logging.getLogger(__name__)
# After a failed run (the database down, …) the worker tries again this much sooner.
RETRY_SECONDS = 3600


class Periodic:
    """`run` at start-up, then every `interval` seconds of `clock`; a failed run is tried again
    after RETRY_SECONDS (or the interval, if shorter). `run` returns the line to log."""

    failure = "Geplante Aufgabe fehlgeschlagen"

    def __init__(self, interval: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval, self.clock = interval, clock
        self.due_at = clock()

    def run(self) -> str:
        raise NotImplementedError

    def run_if_due(self) -> bool:
        """Runs if it is time to; whether it did. Never raises: the mails must go on."""
        now = self.clock()
        if now < self.due_at:
            return False
        try:
            message = self.run()
        except Exception as exc:  # the database down, …: log it, try later
            db.session.rollback()
            log.warning("%s: %s", self.failure, exc)
            self.due_at = now + min(self.interval, RETRY_SECONDS)
            return False
        log.info(message)
        self.due_at = now + self.interval
        return True
