"""Reading uploaded photo files with the configured limits."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage

from app.media.images import PhotoError, ProcessedPhoto, process_photo, read_position


def first_position(files: list[FileStorage]) -> tuple[float, float] | None:
    """The position stored in the first photo that has one; PhotoError for a non-image."""
    for upload in files[: current_app.config["MAX_PHOTOS"]]:
        raw = upload.stream.read(current_app.config["MAX_PHOTO_BYTES"] + 1)
        position = read_position(raw, max_bytes=current_app.config["MAX_PHOTO_BYTES"])
        if position:
            return position
    return None


def process_uploads(files: list[FileStorage]) -> list[ProcessedPhoto]:
    """Validate and re-encode every photo; raises PhotoError naming the first bad file."""
    config = current_app.config
    if len(files) > config["MAX_PHOTOS"]:
        raise PhotoError(_("Höchstens %(n)d Fotos pro Meldung.", n=config["MAX_PHOTOS"]))
    photos = []
    for upload in files:
        # Read one byte past the limit, so an oversized file is noticed without reading all of it.
        raw = upload.stream.read(config["MAX_PHOTO_BYTES"] + 1)
        try:
            photos.append(
                process_photo(
                    raw,
                    max_size=config["PHOTO_MAX_SIZE"],
                    thumb_size=config["THUMBNAIL_SIZE"],
                    max_pixels=config["MAX_IMAGE_PIXELS"],
                    max_bytes=config["MAX_PHOTO_BYTES"],
                )
            )
        except PhotoError as exc:
            # The name is shown in the error: without control characters a client slipped in.
            name = "".join(c for c in upload.filename or "" if c.isprintable())[:80]
            raise PhotoError(f"{name}: {exc}" if name else str(exc)) from exc
    return photos
