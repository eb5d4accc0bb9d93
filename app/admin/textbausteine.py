"""The admin's response templates (Textbausteine) for the staff's public notes."""

from __future__ import annotations

from flask import render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from app.admin.blueprint import bp
from app.admin.forms import text_field
from app.admin.pages import Page, done, saved
from app.models import Status
from app.reports.characters import CONTROL
from app.reports.service import active_categories
from app.staff import textbausteine
from app.staff.actions import NOTE_LIMIT


class TemplateForm(FlaskForm):
    title = text_field(_l("Titel (z. B. „Laterne repariert“)"), 100)
    text = TextAreaField(
        _l("Text"),
        validators=[
            DataRequired(_l("Bitte ausfüllen.")),
            Length(max=NOTE_LIMIT, message=_l("Höchstens %(n)d Zeichen.", n=NOTE_LIMIT)),
        ],
    )
    category = SelectField(_l("Kategorie"), validate_choice=False)
    status = SelectField(_l("Passt zum Status"), validate_choice=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.category.choices = [
            ("", _l("– alle Kategorien –")),
            *((str(c.id), c.name) for c in active_categories()),
        ]
        self.status.choices = [("", _l("– jeder Status –")), *((s.value, s.label) for s in Status)]

    def validate_text(self, field: TextAreaField) -> None:
        if CONTROL.search(field.data or ""):
            raise ValidationError(_l("Der Text enthält unzulässige Steuerzeichen."))

    def validate_category(self, field: SelectField) -> None:
        if field.data not in {value for value, _label in field.choices or []}:
            raise ValidationError(_l("Bitte eine Kategorie aus der Liste wählen."))

    def validate_status(self, field: SelectField) -> None:
        if field.data not in {value for value, _label in field.choices or []}:
            raise ValidationError(_l("Bitte einen Status aus der Liste wählen."))


@bp.route("/textbausteine", methods=["GET", "POST"])
def response_templates() -> Page | Response:
    form = TemplateForm()
    if request.method == "POST" and form.validate():
        data = (
            form.title.data,
            form.text.data.replace("\r\n", "\n").strip(),
            int(form.category.data) if form.category.data else None,
            form.status.data or None,
        )
        if saved(textbausteine.add_template, *data):
            return done(_("Textbaustein angelegt."), ".response_templates")
    status = 422 if request.method == "POST" else 200
    page = render_template(
        "admin/textbausteine.html",
        form=form,
        templates=textbausteine.all_templates(),
        statuses={s.value: s.label for s in Status},
    )
    return page, status


@bp.post("/textbausteine/<int:template_id>/entfernen")
def remove_response_template(template_id: int) -> Response:
    if saved(textbausteine.remove_template, template_id):
        return done(_("Textbaustein entfernt."), ".response_templates")
    return done(_("Nichts geändert."), ".response_templates")
