"""The admin's form for a category's extra question."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, TextAreaField
from wtforms.validators import ValidationError

from app.admin.forms import code_field, text_field
from app.reports.characters import LINE_CONTROL

KINDS = {
    "text": _l("Text (eine Zeile)"),
    "number": _l("Zahl"),
    "choice": _l("Auswahl (eine Antwort)"),
}
# Attribute codes other systems already send for their own purpose (see app.open311.filing).
RESERVED_CODES = {"external_id", "fixmystreet_id"}
MAX_CHOICES, CHOICE_LENGTH = 20, 100


class QuestionForm(FlaskForm):
    label = text_field(_l("Frage (z. B. „Nummer am Laternenmast“)"), 200)
    code = code_field()
    kind = SelectField(
        _l("Art der Antwort"), choices=list(KINDS.items()), default="text", validate_choice=False
    )
    choices = TextAreaField(_l("Antworten zur Auswahl (eine pro Zeile)"))
    required = BooleanField(_l("Pflichtangabe"))
    hint = text_field(_l("Hinweis zur Frage (freiwillig)"), 300, required=False)

    def validate_kind(self, field: SelectField) -> None:
        if field.data not in KINDS:
            raise ValidationError(_l("Bitte eine Art aus der Liste wählen."))

    def validate_code(self, field: object) -> None:
        if self.code.data in RESERVED_CODES:
            raise ValidationError(
                _l("Dieser Code ist für den Austausch mit anderen Systemen reserviert.")
            )

    def validate_choices(self, field: TextAreaField) -> None:
        answers = self.answers()
        if self.kind.data != "choice":
            return
        if len(answers) < 2 or len(answers) > MAX_CHOICES:
            raise ValidationError(
                _l("Bitte %(a)d bis %(b)d Antworten, eine pro Zeile.", a=2, b=MAX_CHOICES)
            )
        if len(set(answers)) < len(answers):
            raise ValidationError(_l("Jede Antwort nur einmal."))
        if any(len(a) > CHOICE_LENGTH or LINE_CONTROL.search(a) for a in answers):
            raise ValidationError(
                _l("Jede Antwort höchstens %(n)d Zeichen, ohne Steuerzeichen.", n=CHOICE_LENGTH)
            )

    def answers(self) -> list[str]:
        """The choices, one per line; none unless the question is a choice."""
        if self.kind.data != "choice":
            return []
        lines = (self.choices.data or "").replace("\r\n", "\n").split("\n")
        return [line.strip() for line in lines if line.strip()]
