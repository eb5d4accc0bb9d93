"""Filing a report: routing, insert, photos and the first timeline event in one transaction.

Nothing here commits; the caller commits once. Photo files written here are removed again if
the transaction rolls back (see app.media.storage).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import column, select, text
from sqlalchemy.orm.attributes import set_committed_value

from app.addresses.places import place_lateral
from app.alerts import matching as alerts
from app.exchange.forwarding import forward
from app.extensions import db
from app.media.images import PhotoError, ProcessedPhoto
from app.media.uploads import process_uploads
from app.models import (
    Category,
    EventKind,
    Photo,
    RejectedReport,
    Report,
    Status,
)
from app.notifications import deferred
from app.notifications.service import normalise
from app.redaction import service as redaction
from app.reports import rules
from app.reports.case_numbers import PLACEHOLDER_SQL, assign
from app.reports.routing import exchange_lateral
from app.reports.rules import Draft, NewReport, ReportRefused

# One statement, one round trip: the report (routed and placed by PostGIS), its first timeline
# event, and the reporter's subscription and the mails it causes (rendered later by the worker).
# It returns the report's row for the ORM and the name of who is responsible (the department,
# or the other body that takes it). The year's case number comes last (file_report).
INSERT_REPORT = text(
    f"""
    WITH place AS (SELECT ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) AS point),
         new AS (SELECT nextval(pg_get_serial_sequence('reports', 'id')) AS id, now() AS at),
    report AS (
        INSERT INTO reports (id, case_number, location, category_id, district_id, department_id,
                             description, status, channel, published_at, created_at, updated_at,
                             reporter_name, reporter_email, reporter_phone, media_url, place_text,
                             tracking_token_hash, submission_key_hash, api_key_id, body_id,
                             share_consent, address, answers)
        SELECT new.id, {PLACEHOLDER_SQL.format(id="new.id")}, place.point, :category_id,
               route.district_id, route.department_id, :description, :status, :channel,
               CASE WHEN :publish THEN new.at END, new.at, new.at,
               :reporter_name, :reporter_email, :reporter_phone, :media_url, :place_text,
               :token_hash, :submission_hash, :api_key_id, route.body_id, :share_consent,
               spot.label, CAST(:answers AS jsonb)
        FROM place, new, {exchange_lateral("place.point", ":category_id")},
             {place_lateral("place.point", alias="spot")}
        -- No conflict target: the tracking token derives from the submission key as well, so
        -- a racing duplicate may hit either unique constraint first.
        ON CONFLICT DO NOTHING
        RETURNING *
    ), event AS (
        INSERT INTO timeline_events (report_id, kind, status, public, author, created_at)
        SELECT id, :event_kind, status, true, :author, created_at FROM report
    ), {deferred.filed_mails("report")}
    SELECT report.*, ST_Y(report.location) AS lat, ST_X(report.location) AS lon,
           COALESCE(body.name, department.name) AS responsible
    FROM report JOIN departments AS department ON department.id = report.department_id
    LEFT JOIN bodies AS body ON body.id = report.body_id
    """
)


@dataclass
class FiledReport:
    report: Report
    # None for a repeated app submission: only the token's hash is stored.
    tracking_token: str | None
    duplicate: bool = False
    # Who handles it: the department's name, or the other body's it is forwarded to.
    responsible: str | None = None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _tracking_token(submission_key: str | None) -> str:
    # Derived from the submission key, so a retried form gets the same link back; the key itself
    # is stored only hashed, so neither the database nor the secret alone reveal the link.
    if submission_key is None:
        return secrets.token_urlsafe(32)
    secret = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(secret, b"tracking:" + submission_key.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def submit(draft: Draft, same_within: timedelta | None = None) -> FiledReport:
    """The one way in for a new report, from any door: the rulebook, the photos, the insert.

    Raises ReportRefused (the rulebook's verdict, also for a bad photo or a place outside the
    city); nothing is stored then, and photo files already written go with the rollback.
    Doors without a submission key pass `same_within`: the same report from the same door
    within that time is the earlier one (someone pressed "send" again after a timeout)."""
    new = rules.check(draft)
    if same_within is not None:
        earlier = _same_report(new, same_within)
        if earlier is not None:
            return FiledReport(earlier, None, duplicate=True)
    try:
        photos = process_uploads(list(draft.photos))
    except PhotoError as exc:
        raise ReportRefused({"photos": str(exc)}) from None
    return file_report(new, photos)


def file_report(new: NewReport, photos: list[ProcessedPhoto]) -> FiledReport:
    """Store a checked report routed by PostGIS; ReportRefused when no district covers the
    point. `new` has passed the rulebook (or is synthetic and right by construction)."""
    token = _tracking_token(new.submission_key)
    submission_hash = token_hash(new.submission_key) if new.submission_key else None
    author = f"Meldung ({new.channel.value})"
    values = {
        "lon": new.lon,
        "lat": new.lat,
        "category_id": new.category_id,
        "description": new.description,
        "status": Status.RECEIVED.value,
        "channel": new.channel.value,
        "publish": current_app.config["PUBLISHING"] == "immediate",
        "reporter_name": new.reporter_name or None,
        "reporter_email": new.reporter_email or None,
        "reporter_phone": new.reporter_phone or None,
        "media_url": new.media_url,
        "place_text": new.place_text,
        "token_hash": token_hash(token),
        "submission_hash": submission_hash,
        "api_key_id": new.api_key_id,
        "share_consent": new.share_consent,
        "answers": json.dumps(new.answers) if new.answers else None,
        "event_kind": EventKind.STATUS_CHANGE.value,
        "author": author,
    }
    reporter = normalise(new.reporter_email) if new.reporter_email else None
    values |= deferred.filed_mail_values(token, new.language, reporter)
    found = db.session.execute(
        select(Report, column("responsible")).from_statement(INSERT_REPORT), values
    ).one_or_none()
    if found is None:
        return _earlier_submission(submission_hash, token)
    report, responsible = found
    for photo in photos:
        add_photo(report, photo)
    if report.body_id is not None:
        # Routing chose another body: the same transaction queues the report for it.
        forward(report, report.body, author=author)
    db.session.flush()
    # Last before the commit: the year's counter stays locked from here to the commit, so
    # concurrent filings wait for each other only that long. Only a stored report takes one.
    set_committed_value(report, "case_number", assign(report.id))
    if report.published_at is not None:  # immediate publishing: public from the first moment
        alerts.report_published(report)
    return FiledReport(report, token, responsible=responsible)


# Advisory locks of their own (two-number form), apart from every single-number lock.
SAME_REPORT_LOCKS = 74210100
SAME_REPORT = text(
    """
    SELECT id FROM reports
    WHERE created_at > now() - :window AND channel = :channel AND category_id = :category_id
      AND description = :description
      AND ST_Equals(location, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326))
      AND reporter_email IS NOT DISTINCT FROM :email AND place_text IS NOT DISTINCT FROM :place
    ORDER BY id LIMIT 1
    """
)


def _same_report(new: NewReport, window: timedelta) -> Report | None:
    values = {
        "window": window,
        "channel": new.channel.value,
        "category_id": new.category_id,
        "description": new.description,
        "lat": new.lat,
        "lon": new.lon,
        "email": new.reporter_email,
        "place": new.place_text,
    }
    # Two copies arriving at once: the second waits here until the first is committed.
    key = "|".join(str(values[k]) for k in ("channel", "category_id", "lat", "lon", "email"))
    db.session.execute(
        text("SELECT pg_advisory_xact_lock(:space, hashtext(:key))"),
        {"space": SAME_REPORT_LOCKS, "key": key},
    )
    found = db.session.scalar(SAME_REPORT, values)
    return db.session.get(Report, found) if found is not None else None


def _earlier_submission(submission_hash: str | None, token: str) -> FiledReport:
    if submission_hash is not None:
        earlier = db.session.scalar(
            select(Report).where(Report.submission_key_hash == submission_hash)
        )
        if earlier is not None:
            return FiledReport(earlier, token, duplicate=True)
    raise rules.outside_city()


def add_photo(report: Report, photo: ProcessedPhoto, after: bool = False) -> Photo:
    """Every door's photos: faces and number plates are searched and blurred on the way in."""
    return redaction.new_photo(report, photo, after=after)


def find_by_token(token: str) -> Report | None:
    if not token or len(token) > 100:
        return None
    return db.session.scalar(select(Report).where(Report.tracking_token_hash == token_hash(token)))


def find_rejected_by_token(token: str) -> RejectedReport | None:
    """What the tracking link of a report rejected as spam or abuse still shows."""
    if not token or len(token) > 100:
        return None
    return db.session.scalar(
        select(RejectedReport).where(RejectedReport.tracking_token_hash == token_hash(token))
    )


def find_by_case_number(case_number: str) -> Report | None:
    if len(case_number) > 20 or "\x00" in case_number:
        return None
    return db.session.scalar(select(Report).where(Report.case_number == case_number))


def active_categories() -> list[Category]:
    return list(
        db.session.scalars(select(Category).where(Category.active).order_by(Category.name_de))
    )
