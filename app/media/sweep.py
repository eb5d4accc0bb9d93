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
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import select

from app.extensions import db
from app.media.storage import upload_root
from app.models import Photo

log = logging.getLogger(__name__)
# Only names that storage.save() gives (secrets.token_urlsafe(18) + ".jpg"): anything else in
# the folder was put there by someone else and is not ours to delete.
STORED_NAME = re.compile(r"[A-Za-z0-9_-]{24}\.jpg")
BATCH = 1000


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
    return [root / name for name in names if name not in named]
