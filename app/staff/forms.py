"""The staff actions' forms: each reads its fields into typed values (a Status, an int, a
Photo, a Department …) with a German message for anything else, then calls its service.

Templates write these forms by hand (several small forms on one page); the field names here
are the names they post.
"""

from __future__ import annotations

from typing import TypeVar

from flask import request
from flask_wtf import FlaskForm
from sqlalchemy import ColumnElement, select
from werkzeug.datastructures import FileStorage
from wtforms import Field, FileField, StringField, TextAreaField
from wtforms.validators import ValidationError

from app.extensions import db
from app.feedback import service as feedback
from app.inquiries import service as inquiries
from app.media.images import ProcessedPhoto
from app.media.uploads import process_uploads
from app.models import (
    Body,
    Category,
    Department,
    District,
    Photo,
    Report,
    ResolutionFeedback,
    Status,
    User,
)
from app.models.inquiry import Inquiry
from app.redaction.posted import posted_regions
from app.redaction.service import RegionError
from app.reports.service import find_by_case_number
from app.staff import actions, handover, moderation, returns
from app.staff.actions import small_number

T = TypeVar("T")


def checked(value: T | None) -> T:
    """A value that the form's validation has found (perform runs only after it)."""
    if value is None:
        raise RuntimeError("perform() before validate()")
    return value


M = TypeVar("M", Category, District, Department)


def _by_code(model: type[M], raw: str | None, message: str, *conditions: ColumnElement[bool]) -> M:
    text = (raw or "").strip()
    # A code with NUL matches nothing, and PostgreSQL would refuse to even compare it.
    if "\x00" in text or len(text) > 100:
        raise ValidationError(message)
    found = db.session.scalar(select(model).where(model.code == text, *conditions))
    if found is None:
        raise ValidationError(message)
    return found


# What a dispatcher may choose, by the code a form sends; one message per field, whatever form.
def active_category(raw: str | None) -> Category:
    message = "Unbekannte Angabe für Kategorie."
    return _by_code(Category, raw, message, Category.active.is_(True))


def district_of(raw: str | None) -> District:
    return _by_code(District, raw, "Unbekannte Angabe für Stadtbezirk.")


def department_of(raw: str | None) -> Department:
    return _by_code(Department, raw, "Unbekannte Abteilung.")


class ActionForm(FlaskForm):
    """One action on one report; `inbox_only` actions are for dispatchers and admins."""

    inbox_only = True
    version = StringField()

    def __init__(self, report: Report, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.report = report

    @property
    def seen_version(self) -> int | None:
        return small_number(self.version.data)

    def authorise(self, user: User) -> None:
        """PermissionError or ChangedMeanwhile before any field is read, as the services do."""
        if self.inbox_only and user.role not in ("admin", "dispatcher"):
            raise PermissionError
        actions.check(user, self.report, self.seen_version)

    def first_error(self) -> str:
        return next(message for messages in self.errors.values() for message in messages)

    def perform(self, user: User) -> None:
        raise NotImplementedError

    def done_url(self) -> str | None:
        """Where to go after a successful save; None: back to the report."""
        return None


class StatusForm(ActionForm):
    inbox_only = False
    status = StringField()
    note = TextAreaField()
    visibility = StringField()
    photo = FileField()

    def validate_status(self, field: Field) -> None:
        if field.data not in {s.value for s in Status}:
            raise ValidationError("Unbekannter Status.")

    def after_photo(self) -> ProcessedPhoto | None:
        upload = self.photo.data
        if not isinstance(upload, FileStorage) or not upload.filename:
            return None
        return process_uploads([upload])[0]  # PhotoError: shown like any refused action

    def perform(self, user: User) -> None:
        actions.change_status(
            user,
            self.report,
            self.seen_version,
            Status(self.status.data),
            self.note.data,
            self.visibility.data == "public",
            self.after_photo(),
        )


class PriorityForm(ActionForm):
    inbox_only = False
    priority = StringField()

    def validate_priority(self, field: Field) -> None:
        if small_number(field.data) not in actions.PRIORITIES:
            raise ValidationError("Unbekannte Priorität.")

    def perform(self, user: User) -> None:
        value = small_number(self.priority.data)
        actions.set_priority(user, self.report, self.seen_version, checked(value))


class AssignForm(ActionForm):
    inbox_only = False
    assignee = StringField()
    colleague: User | None = None

    def validate_assignee(self, field: Field) -> None:
        number = small_number(field.data)
        self.colleague = db.session.get(User, number) if number is not None else None
        if self.colleague is None:
            raise ValidationError(actions.NOT_A_COLLEAGUE)

    def perform(self, user: User) -> None:
        actions.assign(user, self.report, self.seen_version, checked(self.colleague))


class PublishForm(ActionForm):
    def perform(self, user: User) -> None:
        moderation.publish(user, self.report, self.seen_version)


class RedactForm(ActionForm):
    description = TextAreaField()

    def perform(self, user: User) -> None:
        moderation.redact(user, self.report, self.seen_version, self.description.data)


class PhotoForm(ActionForm):
    photo = StringField()
    chosen: Photo | None = None

    def validate_photo(self, field: Field) -> None:
        number = small_number(field.data)
        self.chosen = next((p for p in self.report.photos if p.id == number), None)
        if self.chosen is None:
            raise ValidationError("Dieses Foto gehört nicht zu der Meldung.")

    def perform(self, user: User) -> None:
        moderation.toggle_photo(user, self.report, self.seen_version, checked(self.chosen))


class PhotoReviewForm(PhotoForm):
    """Which faces and plates of a photo are blurred, as staff checked them."""

    def perform(self, user: User) -> None:
        photo = checked(self.chosen)
        try:
            regions = posted_regions(request.form, photo)
            moderation.review_photo(user, self.report, self.seen_version, photo, regions)
        except RegionError as exc:
            raise actions.ActionError(str(exc)) from exc


def _confirmed(field: Field, message: str) -> None:
    """Closing or deleting a report needs a second, explicit step (a confirmation field)."""
    if field.data != "1":
        raise ValidationError(message)


class DuplicateForm(ActionForm):
    original = StringField()
    bestaetigt = StringField()
    found: Report | None = None

    def validate_original(self, field: Field) -> None:
        self.found = find_by_case_number((field.data or "").strip())
        if self.found is None:
            raise ValidationError("Keine Meldung mit dieser Vorgangsnummer.")

    def validate_bestaetigt(self, field: Field) -> None:
        _confirmed(field, "Bitte bestätigen Sie, dass es ein Duplikat ist.")

    def perform(self, user: User) -> None:
        moderation.mark_duplicate(user, self.report, self.seen_version, checked(self.found))


class CategoryForm(ActionForm):
    category = StringField()
    value: Category | None = None

    def validate_category(self, field: Field) -> None:
        self.value = active_category(field.data)

    def perform(self, user: User) -> None:
        moderation.correct(user, self.report, self.seen_version, checked(self.value))


class DistrictForm(ActionForm):
    district = StringField()
    value: District | None = None

    def validate_district(self, field: Field) -> None:
        self.value = district_of(field.data)

    def perform(self, user: User) -> None:
        moderation.correct(user, self.report, self.seen_version, checked(self.value))


class ForwardForm(ActionForm):
    department = StringField()
    value: Department | None = None

    def validate_department(self, field: Field) -> None:
        self.value = department_of(field.data)

    def perform(self, user: User) -> None:
        moderation.reassign(user, self.report, self.seen_version, checked(self.value))


class BodyForm(ActionForm):
    """To another body (a Kommune, Straßen.NRW …), with a reason the public timeline shows."""

    body = StringField()
    reason = TextAreaField()
    value: Body | None = None

    def validate_body(self, field: Field) -> None:
        if not (field.data or "").strip():
            raise ValidationError("Bitte eine Stelle wählen.")
        number = small_number(field.data)
        self.value = db.session.get(Body, number) if number is not None else None
        if self.value is None:
            raise ValidationError("Unbekannte Stelle.")

    def perform(self, user: User) -> None:
        handover.forward_to_body(
            user, self.report, self.seen_version, checked(self.value), self.reason.data
        )


class UndoDuplicateForm(ActionForm):
    def perform(self, user: User) -> None:
        moderation.undo_duplicate(user, self.report, self.seen_version)


class RejectForm(ActionForm):
    reason = StringField()
    note = TextAreaField()
    bestaetigt = StringField()

    def validate_bestaetigt(self, field: Field) -> None:
        _confirmed(field, "Bitte bestätigen Sie, dass die Meldung gelöscht werden soll.")

    def validate_reason(self, field: Field) -> None:
        if field.data not in moderation.REJECT_REASONS:
            raise ValidationError("Bitte einen Grund wählen: Spam oder Missbrauch.")

    def perform(self, user: User) -> None:
        moderation.reject(user, self.report, self.seen_version, self.reason.data, self.note.data)


class ReturnForm(ActionForm):
    """Back to the inbox ("Zurück an die Leitstelle") from a department, with a reason."""

    inbox_only = False
    reason = TextAreaField()

    def authorise(self, user: User) -> None:
        if user.role not in ("crew", "admin"):
            raise PermissionError
        super().authorise(user)

    def perform(self, user: User) -> None:
        returns.send_back(user, self.report, self.seen_version, self.reason.data)


class KeepForm(ActionForm):
    """The inbox leaves a job that was sent back with its department."""

    note = TextAreaField()

    def perform(self, user: User) -> None:
        returns.keep_with_department(user, self.report, self.seen_version, self.note.data)


class InquiryForm(ActionForm):
    """A question to the reporter by mail, with a one-time answer link (app.inquiries)."""

    inbox_only = False
    question = TextAreaField()

    def perform(self, user: User) -> None:
        inquiries.ask(user, self.report, self.seen_version, self.question.data)


class InquiryPublishForm(ActionForm):
    """The reporter's answer on the public timeline, in the words the inbox chose."""

    inquiry = StringField()
    text = TextAreaField()
    chosen: Inquiry | None = None

    def validate_inquiry(self, field: Field) -> None:
        number = small_number(field.data)
        self.chosen = db.session.get(Inquiry, number) if number is not None else None
        if self.chosen is None or self.chosen.report_id != self.report.id:
            raise ValidationError("Diese Rückfrage gehört nicht zu der Meldung.")

    def perform(self, user: User) -> None:
        # Without the field (a plain "publish"): the answer as the reporter wrote it.
        text = self.text.data if self.text.raw_data else None
        inquiries.publish(user, self.report, self.seen_version, checked(self.chosen), text)


class CommentPublishForm(ActionForm):
    """A reporter's reopen comment on the public timeline, in the words the inbox chose."""

    antwort = StringField()
    text = TextAreaField()
    chosen: ResolutionFeedback | None = None

    def validate_antwort(self, field: Field) -> None:
        number = small_number(field.data)
        self.chosen = db.session.get(ResolutionFeedback, number) if number is not None else None
        if self.chosen is None or self.chosen.report_id != self.report.id:
            raise ValidationError("Diese Antwort gehört nicht zu der Meldung.")

    def perform(self, user: User) -> None:
        text = self.text.data if self.text.raw_data else None
        feedback.publish_comment(user, self.report, self.seen_version, checked(self.chosen), text)


# The last part of each action's address.
FORMS: dict[str, type[ActionForm]] = {
    "status": StatusForm,
    "prioritaet": PriorityForm,
    "zuweisen": AssignForm,
    "veroeffentlichen": PublishForm,
    "text": RedactForm,
    "foto": PhotoForm,
    "schwaerzen": PhotoReviewForm,
    "duplikat": DuplicateForm,
    "duplikat-aufheben": UndoDuplicateForm,
    "kategorie": CategoryForm,
    "bezirk": DistrictForm,
    "weiterleiten": ForwardForm,
    "an-stelle": BodyForm,
    "ablehnen": RejectForm,
    "zurueck": ReturnForm,
    "bei-abteilung": KeepForm,
    "rueckfrage": InquiryForm,
    "antwort-veroeffentlichen": InquiryPublishForm,
    "kommentar-veroeffentlichen": CommentPublishForm,
}
