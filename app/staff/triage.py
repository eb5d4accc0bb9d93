"""The dispatcher's one-step triage: public text, photos, category, district, department,
priority, assignee, status with a note, and publishing — one form, one save, one commit.

Each change goes through the same service function as its single action (so the same rules
and one timeline entry per change); a field left as the page showed it changes nothing. The
form carries what the page showed (`shown_*`), so "unchanged" means unchanged by this person,
not "equal to what routing did meanwhile in the same save"."""

from __future__ import annotations

from flask import current_app, request, url_for
from sqlalchemy import select
from wtforms import BooleanField, Field, StringField, TextAreaField
from wtforms.validators import ValidationError

from app.extensions import db
from app.models import Category, Department, District, Report, Status, User
from app.staff import actions, moderation
from app.staff.actions import ActionError, clean_note, small_number
from app.staff.forms import (
    ActionForm,
    active_category,
    checked,
    department_of,
    district_of,
)


class TriageForm(ActionForm):
    description = TextAreaField()
    category = StringField()
    district = StringField()
    department = StringField()
    priority = StringField()
    assignee = StringField()
    status = StringField()
    # What the page showed: a field left at it changes nothing, even if that value could not be
    # chosen anew (an inactive category, the status "Duplikat").
    shown_category = StringField()
    shown_district = StringField()
    shown_department = StringField()
    shown_assignee = StringField()
    shown_status = StringField()
    note = TextAreaField()
    visibility = StringField()
    publish = BooleanField()
    # "Speichern und nächste": on to the inbox's next report.
    weiter = StringField()

    category_value: Category | None = None
    district_value: District | None = None
    department_value: Department | None = None
    colleague: User | None = None

    def validate_category(self, field: Field) -> None:
        if field.data == self.shown_category.data:
            self.category_value = self.report.category
            return
        self.category_value = active_category(field.data)

    def validate_district(self, field: Field) -> None:
        if field.data == self.shown_district.data:
            self.district_value = self.report.district
            return
        self.district_value = district_of(field.data)

    def validate_department(self, field: Field) -> None:
        self.department_value = department_of(field.data)

    def validate_priority(self, field: Field) -> None:
        if small_number(field.data) not in actions.PRIORITIES:
            raise ValidationError("Unbekannte Priorität.")

    def validate_assignee(self, field: Field) -> None:
        if not (field.data or "").strip():
            return  # nobody chosen: no change
        number = small_number(field.data)
        self.colleague = db.session.get(User, number) if number is not None else None
        if self.colleague is None:
            raise ValidationError(actions.NOT_A_COLLEAGUE)

    def validate_status(self, field: Field) -> None:
        if field.data == self.shown_status.data:
            return
        if field.data not in {s.value for s in Status} or field.data == Status.DUPLICATE:
            raise ValidationError("Unbekannter Status.")

    def validate_visibility(self, field: Field) -> None:
        if field.data not in ("public", "internal"):
            raise ValidationError("Bitte wählen, wer die Notiz sieht.")

    def perform(self, user: User) -> None:
        changed = _route(user, self) + _content(user, self) + _work(user, self)
        if self.publish.data and self.report.published_at is None:
            moderation.publish(user, self.report, self.report.version)
            changed += 1
        if not changed:
            raise ActionError("Nichts geändert: Sie haben nichts anders gewählt als angezeigt.")

    def done_url(self) -> str | None:
        if not self.weiter.data:
            return None
        following = next_in_inbox(self.report)
        if following is None:
            return url_for("staff.inbox")
        return url_for("staff.report", case_number=following)


def _route(user: User, form: TriageForm) -> int:
    """Category and district first (they may move the report), then an explicit department."""
    report, changed = form.report, 0
    category, district = checked(form.category_value), checked(form.district_value)
    corrections = [
        v
        for v, now in ((category, report.category_id), (district, report.district_id))
        if v.id != now
    ]
    for value in corrections:
        # Rerouted once, after both: only the department responsible for the pair hears of it.
        moderation.correct(user, report, report.version, value, reroute=value is corrections[-1])
        changed += 1
    department = checked(form.department_value)
    chosen_anew = department.code != (form.shown_department.data or "")
    if chosen_anew and department.id != report.department_id:
        moderation.reassign(user, report, report.version, department)
        changed += 1
    return changed


def _content(user: User, form: TriageForm) -> int:
    """The public text and which photos the public sees."""
    report, changed = form.report, 0
    limit = current_app.config["DESCRIPTION_MAX_LENGTH"]
    text = clean_note(form.description.data, limit, "Der Text")
    # A report of a photo alone has the text "": an empty box leaves it as it is.
    if (text or "") != (report.description or ""):
        moderation.redact(user, report, report.version, text)
        changed += 1
    visible = {small_number(v) for v in request.form.getlist("sichtbar")}
    for photo in report.photos:
        if photo.after:
            continue  # crews' after-photos are public by nature
        if photo.hidden == (photo.id in visible):
            moderation.toggle_photo(user, report, report.version, photo)
            changed += 1
    return changed


def _work(user: User, form: TriageForm) -> int:
    """Priority, assignee, status and the note."""
    report, changed = form.report, 0
    priority = checked(small_number(form.priority.data))
    if priority != report.priority:
        actions.set_priority(user, report, report.version, priority)
        changed += 1
    colleague, shown = form.colleague, small_number(form.shown_assignee.data)
    if colleague is not None and colleague.id not in (shown, report.assignee_id):
        actions.assign(user, report, report.version, colleague)
        changed += 1
    public = form.visibility.data == "public"
    note = clean_note(form.note.data)
    if form.status.data != form.shown_status.data and form.status.data != report.status:
        status = Status(form.status.data)
        actions.change_status(user, report, report.version, status, note, public)
        changed += 1
    elif note:  # the same path as a crew's note: the same rules (a public one is news)
        actions.change_status(user, report, report.version, Status(report.status), note, public)
        changed += 1
    return changed


def next_in_inbox(report: Report) -> str | None:
    """The case number after this report in the inbox's order (oldest first), else the first."""
    unchecked = select(Report.case_number).where(
        Report.published_at.is_(None), Report.id != report.id
    )
    after = unchecked.where(
        (Report.created_at > report.created_at)
        | ((Report.created_at == report.created_at) & (Report.id > report.id))
    )
    order = (Report.created_at, Report.id)
    return db.session.scalar(after.order_by(*order).limit(1)) or db.session.scalar(
        unchecked.order_by(*order).limit(1)
    )
