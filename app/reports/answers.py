"""The rulebook's part for the answers to a category's extra questions.

Doors hand over the answers by question code ({code: raw text}); None means the door cannot ask
(the city app's protocol has no such field), so a required question does not refuse its report.
Answers to questions the category does not have are ignored: a client may know an older set.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.models import CategoryQuestion
from app.reports.characters import LINE_CONTROL

# The prefix of a verdict's field for one question: "answer:CODE".
ANSWER = "answer:"
TEXT_LENGTH = 200
# Up to twelve digits, a decimal point or comma and six decimals: what a lamp or a count needs.
NUMBER = re.compile(r"^[+-]?[0-9]{1,12}(?:[.,][0-9]{1,6})?$")

Answers = list[dict[str, str]]


def questions_of(category_id: int) -> list[CategoryQuestion]:
    return list(
        db.session.scalars(
            select(CategoryQuestion)
            .where(CategoryQuestion.category_id == category_id)
            .order_by(CategoryQuestion.position, CategoryQuestion.id)
        )
    )


def check_answers(
    category_id: int | None, given: Mapping[str, object] | None, errors: dict[str, str]
) -> Answers | None:
    """The answers as stored ([{code, label, value}], None without any); a message per broken
    answer under errors["answer:CODE"]."""
    if category_id is None:
        return None
    stored: Answers = []
    for question in questions_of(category_id):
        raw = (given or {}).get(question.code)
        value = raw.strip() if isinstance(raw, str) else ""
        if not value:
            if question.required and given is not None:
                errors[ANSWER + question.code] = _("Bitte beantworten Sie diese Frage.")
            continue
        refusal = _refusal(question, value)
        if refusal:
            errors[ANSWER + question.code] = refusal
            continue
        stored.append({"code": question.code, "label": question.label, "value": value})
    return stored or None


def _refusal(question: CategoryQuestion, value: str) -> str | None:
    if question.kind == "number":
        if not NUMBER.match(value):
            return _("Bitte eine Zahl eingeben, z. B. 12 oder 3,5.")
    elif question.kind == "choice":
        if value not in question.choices:
            return _("Bitte eine der angebotenen Antworten wählen.")
    elif len(value) > TEXT_LENGTH:
        return _("Höchstens %(n)d Zeichen.", n=TEXT_LENGTH)
    elif LINE_CONTROL.search(value):
        return _("Der Text enthält unzulässige Steuerzeichen.")
    return None
