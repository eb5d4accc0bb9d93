"""Faces and number plates on photos: found on upload, blurred in every file anyone else sees,
checked by staff, and the unblurred original deleted once moderation is done.

Every door stores photos through `new_photo` (web form, staff intake, Open311, city app,
partners, crews). What a photo's `redaction` state means is in app.models.report.Redaction; the
public projection shows only photos whose regions are cleared. Nothing here commits.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import or_, select

from app.extensions import db
from app.media import storage
from app.media.images import ProcessedPhoto
from app.models import Photo, Redaction, Report
from app.models.report import UNREVIEWED
from app.models.status import CLOSED_STATUSES
from app.redaction.blur import blurred
from app.redaction.detect import KINDS, Region, find_regions

log = logging.getLogger(__name__)

MAX_REGIONS = 50


SEARCHING = (
    "Das Foto wird noch auf Gesichter und Kennzeichen durchsucht; bitte in einer Minute die "
    "Seite neu laden."
)


class RegionError(ValueError):
    """A German message for staff about regions they sent (the staff form shows it)."""


def new_photo(report: Report, processed: ProcessedPhoto, *, after: bool = False) -> Photo:
    """Store an uploaded photo; found faces and plates are blurred in its public files."""
    photo = Photo(
        report=report,
        width=processed.width,
        height=processed.height,
        after=after,
        regions=[],
    )
    db.session.add(photo)
    # Stored as uploaded first, the same as for the job: with something found, this file
    # becomes the original and the public files are written anew.
    photo.filename = storage.save(processed.data)
    photo.thumbnail = storage.save(processed.thumbnail)
    found = _search(processed.data) if current_app.config["PHOTO_DETECTION"] == "inline" else None
    if found is None:
        # Not searched (job mode, or the detector failed): kept, not public, the job searches.
        photo.redaction = Redaction.PENDING
    else:
        _suggest(photo, processed.data, found)
    return photo


def _search(jpeg: bytes) -> list[Region] | None:
    try:
        return find_regions(jpeg)
    except Exception:
        # A photo is never lost to the detector: it waits for the job instead.
        log.exception("face and plate detection failed; the photo waits for the job")
        return None


def _suggest(photo: Photo, jpeg: bytes, found: list[Region]) -> None:
    """Record what the detector found in the stored photo `jpeg` and, with something found,
    keep that file as the original and write blurred public files."""
    photo.regions = [r.as_json() for r in found]
    # The report's version moves: a review form opened before the search is refused as stale
    # instead of turning off suggestions its user never saw.
    photo.report.updated_at = datetime.now(UTC)
    if not found:
        photo.redaction = Redaction.NONE
        return
    photo.redaction = Redaction.AUTO if _public_at_once(photo) else Redaction.SUGGESTED
    photo.original = photo.filename
    _render(photo, jpeg, found)


def _public_at_once(photo: Photo) -> bool:
    """No one looks before the public sees it: with immediate publishing, for a crew's after
    photo, or for a photo added to a report already published."""
    report = photo.report
    return (
        photo.after
        or report.published_at is not None
        or current_app.config["PUBLISHING"] == "immediate"
    )


def _render(photo: Photo, source: bytes, regions: Iterable[Region]) -> None:
    """Write new public files with `regions` blurred; the old ones go once this commits (under
    a new name, so no cache keeps serving the old pixels under the address it knew)."""
    data, thumb = blurred(source, regions, current_app.config["THUMBNAIL_SIZE"])
    old = [n for n in (photo.filename, photo.thumbnail) if n and n != photo.original]
    photo.filename = storage.save(data)
    photo.thumbnail = storage.save(thumb)
    storage.delete_after_commit(old)


def regions_of(photo: Photo) -> list[Region]:
    return [Region.from_json(r) for r in photo.regions or []]


def review(photo: Photo, regions: list[Region]) -> str:
    """Staff checked the photo: exactly `regions` are blurred (from the original while it is
    kept, else on top of what was already blurred). Returns the note for the timeline."""
    if photo.redaction == Redaction.PENDING:
        raise RegionError(SEARCHING)
    _check(photo, regions)
    kept = photo.original is not None
    if not kept and any(r.on for r in regions):
        # Blurred for good already: what is added now is blurred on top of it.
        photo.original = photo.filename
    if photo.original is not None:
        _render(photo, _read(photo.original), regions)
    photo.regions = [r.as_json() for r in regions]
    photo.redaction = Redaction.CONFIRMED
    if photo.report.published_at is not None:
        _drop_original(photo)
    shown = sum(r.on for r in regions)
    if shown:
        return f"Foto geprüft: {shown} Bereich(e) unkenntlich gemacht."
    if kept:
        return "Foto geprüft: nichts unkenntlich zu machen."
    return "Foto geprüft: keine weiteren Bereiche (schon Unkenntliches bleibt es)."


def _read(name: str) -> bytes:
    try:
        return storage.path_for(name).read_bytes()
    except OSError as exc:
        raise RegionError("Die Fotodatei fehlt; bitte die Seite neu laden.") from exc


def _check(photo: Photo, regions: list[Region]) -> None:
    if len(regions) > MAX_REGIONS:
        raise RegionError(f"Höchstens {MAX_REGIONS} Bereiche pro Foto.")
    for region in regions:
        if region.kind not in KINDS:
            raise RegionError("Unbekannte Art von Bereich.")
        inside = (
            0 <= region.x < photo.width
            and 0 <= region.y < photo.height
            and region.x + region.w <= photo.width
            and region.y + region.h <= photo.height
        )
        if not inside or region.w < 4 or region.h < 4:
            raise RegionError("Ein Bereich liegt nicht im Foto oder ist zu klein.")


def unreviewed(report: Report) -> list[Photo]:
    """Photos the public would see that still wait: not searched yet or suggestions unconfirmed."""
    return [p for p in report.photos if not p.hidden and p.redaction in UNREVIEWED]


def waiting_in(report_ids: list[int]) -> set[int]:
    """Which of these reports have photos to check (for the inbox's mark)."""
    if not report_ids:
        return set()
    return set(
        db.session.scalars(
            select(Photo.report_id).where(
                Photo.report_id.in_(report_ids),
                Photo.redaction.in_(UNREVIEWED),
                Photo.hidden.is_(False),
            )
        )
    )


def moderation_done(report: Report) -> None:
    """The report was published after its check: only the blurred versions stay. Auto-blurred
    photos keep their original a while longer, so staff can still undo a false positive."""
    for photo in report.photos:
        if photo.redaction != Redaction.AUTO:
            _drop_original(photo)


def _drop_original(photo: Photo) -> None:
    if photo.original is not None:
        storage.delete_after_commit([photo.original])
        photo.original = None


def purge_originals(review_days: int, now: datetime | None = None) -> int:
    """Originals nobody needs any more: of published, checked photos; of closed reports; and
    of auto-blurred photos after `review_days`."""
    now = now or datetime.now(UTC)
    photos = db.session.scalars(
        select(Photo)
        .join(Report, Report.id == Photo.report_id)
        .where(
            Photo.original.is_not(None),
            or_(
                # The same rule as moderation_done, for photos checked after publishing.
                Report.published_at.is_not(None) & (Photo.redaction != Redaction.AUTO),
                Report.status.in_([s.value for s in CLOSED_STATUSES]),
                Photo.created_at < now - timedelta(days=review_days),
            ),
        )
    ).all()
    for photo in photos:
        _drop_original(photo)
    return len(photos)


def search_waiting(limit: int = 20) -> int:
    """The job: search photos that were stored without a search (job mode, detector failure).
    Returns how many it searched; each is committed on its own."""
    done = 0
    for _ in range(limit):
        photo = db.session.scalar(
            select(Photo)
            .where(Photo.redaction == Redaction.PENDING)
            .order_by(Photo.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        if photo is None:
            break
        try:
            jpeg = storage.path_for(photo.filename).read_bytes()
        except OSError:
            jpeg = b""
        found = _search(jpeg) if jpeg else None
        if found is None:
            # Not searchable (the detector fails on it, or its file is gone): staff must look
            # themselves. Fail closed — it stays out of public view until they confirm — and
            # the job moves on instead of trying this photo forever.
            log.error("photo %s could not be searched; staff must check it", photo.id)
            photo.redaction = Redaction.SUGGESTED
            photo.report.updated_at = datetime.now(UTC)
        else:
            _suggest(photo, jpeg, found)
        db.session.commit()
        done += 1
    return done
