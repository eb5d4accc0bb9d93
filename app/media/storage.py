"""Photo files under UPLOAD_FOLDER, tied to the database transaction.

Files written during a transaction are deleted again when it rolls back, so a failed
submission never leaves an orphan file behind; files of deleted reports go only once the
deletion commits.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask, abort, current_app, send_file
from sqlalchemy import event
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from app.extensions import db

PENDING = "pending_files"
DOOMED = "doomed_files"


def upload_root() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"]).resolve()


def path_for(name: str) -> Path:
    """Resolve a stored name, refusing anything that would leave the upload folder."""
    root = upload_root()
    path = (root / name).resolve()
    if path.parent != root:
        raise ValueError("invalid stored file name")
    return path


def send_photo(name: str, max_age: int = 0) -> Response:
    """A stored photo as a response; 404 when the file is gone."""
    path = path_for(name)
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype="image/jpeg", max_age=max_age)


def save(data: bytes, suffix: str = ".jpg") -> str:
    """Write bytes under a new random name and return the name."""
    root = upload_root()
    root.mkdir(parents=True, exist_ok=True)
    name = secrets.token_urlsafe(18) + suffix
    path = path_for(name)
    # O_EXCL: a name collision fails instead of overwriting another report's photo.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    db.session.info.setdefault(PENDING, []).append(path)
    return name


def delete_after_commit(names: list[str]) -> None:
    """Delete these files once the transaction commits; a rollback keeps them."""
    db.session.info.setdefault(DOOMED, []).extend(path_for(name) for name in names)


def _committed(session: Session) -> None:
    session.info.pop(PENDING, None)
    for path in session.info.pop(DOOMED, []):
        Path(path).unlink(missing_ok=True)


def _discard(session: Session, previous_transaction: object) -> None:
    if getattr(previous_transaction, "nested", False):
        return
    session.info.pop(DOOMED, None)
    for path in session.info.pop(PENDING, []):
        Path(path).unlink(missing_ok=True)


def init_app(app: Flask) -> None:
    Path(app.config["UPLOAD_FOLDER"]).mkdir(parents=True, exist_ok=True)


event.listen(Session, "after_commit", _committed)
event.listen(Session, "after_soft_rollback", _discard)
