"""Photo files that no photo names any more.

The rollback hook in `storage` deletes the files of a failed submission, but it cannot run when
the worker is killed between writing the files and the commit; reports deleted straight in the
database (not through the app) leave their files too. The sweep deletes such orphans once they
are old enough that no upload can still be on its way to its commit.
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from flask import current_app
from sqlalchemy import select, text

from app.extensions import db
from app.media.storage import upload_root
from app.models import Photo
from app.periodic import Periodic

log = logging.getLogger(__name__)
# Only names that storage.save() gives (secrets.token_urlsafe(18) + ".jpg"): anything else in
# the folder was put there by someone else and is not ours to delete.
STORED_NAME = re.compile(r"[A-Za-z0-9_-]{24}\.jpg")
BATCH = 1000
# Files younger than this may belong to an upload whose commit is still to come.
DEFAULT_MIN_AGE_HOURS = 24


KEPT_FOR_REJECTED = text(
    """SELECT name FROM rejected_reports r,
              jsonb_array_elements(r.snapshot -> 'photos') AS p,
              LATERAL (VALUES (p ->> 'filename'), (p ->> 'thumbnail'), (p ->> 'original'))
                AS n(name)
       WHERE r.snapshot IS NOT NULL AND name = ANY(:names)"""
)


class WrongDatabase(RuntimeError):
    """The database knows no photo at all while the folder holds photo files."""


def sweep(min_age_seconds: float) -> tuple[int, int]:
    """Delete orphan photo files older than min_age_seconds: (files, bytes) deleted."""
    root = upload_root()
    if db.session.scalar(select(Photo.id).limit(1)) is None and _holds_photo_files(root):
        # Pointed at an empty or wrong database, the sweep would take every photo of the city.
        raise WrongDatabase(
            "Die Datenbank kennt kein einziges Foto, der Ordner enthält aber Fotodateien – "
            "falsche DATABASE_URL oder UPLOAD_FOLDER? Nichts gelöscht."
        )
    files = size = 0
    for path in _orphans(root, time.time() - min_age_seconds):
        try:
            stored = path.stat().st_size
            path.unlink()
        except FileNotFoundError:  # deleted meanwhile, e.g. by a rejected report's commit
            continue
        except OSError as exc:  # one file we may not delete does not stop the sweep
            log.warning("Fotodatei %s nicht gelöscht: %s", path.name, exc)
            continue
        files, size = files + 1, size + stored
    return files, size


def summary(files: int, size: int, min_age_hours: float) -> str:
    return (
        f"{files} verwaiste Fotodateien gelöscht ({size / 1_000_000:.1f} MB), "
        f"älter als {min_age_hours:g} Stunden."
    )


class Schedule(Periodic):
    """The sweep inside the worker: at start-up, then every `interval` seconds."""

    failure = "Fotodateien nicht aufgeräumt"

    def __init__(
        self,
        interval: float,
        min_age_hours: float = DEFAULT_MIN_AGE_HOURS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(interval, clock)
        self.min_age_hours = min_age_hours

    @classmethod
    def from_config(cls) -> Schedule | None:
        """None when MEDIA_SWEEP_INTERVAL_HOURS is 0 (a timer runs `flask media sweep`)."""
        hours = current_app.config["MEDIA_SWEEP_INTERVAL_HOURS"]
        return cls(hours * 3600) if hours > 0 else None

    def run(self) -> str:
        """WrongDatabase, the database down, …: raised, logged and tried again later."""
        files, size = sweep(self.min_age_hours * 3600)
        db.session.rollback()  # it only read: end the transaction
        return summary(files, size, self.min_age_hours)


def _holds_photo_files(root: Path) -> bool:
    with os.scandir(root) as entries:
        return any(STORED_NAME.fullmatch(entry.name) for entry in entries)


def _orphans(root: Path, cutoff: float) -> Iterator[Path]:
    batch: list[str] = []
    with os.scandir(root) as entries:
        for entry in entries:
            if not STORED_NAME.fullmatch(entry.name) or not entry.is_file(follow_symlinks=False):
                continue
            try:
                if entry.stat(follow_symlinks=False).st_mtime >= cutoff:
                    continue
            except FileNotFoundError:  # a rolled-back upload, deleted since the folder was read
                continue
            batch.append(entry.name)
            if len(batch) == BATCH:
                yield from _unnamed(root, batch)
                batch = []
    yield from _unnamed(root, batch)


def _unnamed(root: Path, names: list[str]) -> list[Path]:
    """The names in this batch that no photo row holds, as paths."""
    if not names:
        return []
    named = set(db.session.scalars(select(Photo.filename).where(Photo.filename.in_(names))))
    named.update(db.session.scalars(select(Photo.thumbnail).where(Photo.thumbnail.in_(names))))
    named.update(db.session.scalars(select(Photo.original).where(Photo.original.in_(names))))
    # A report rejected today may be taken back: its files stay until its snapshot is purged.
    named.update(db.session.scalars(KEPT_FOR_REJECTED, {"names": names}))
    return [root / name for name in names if name not in named]
