"""The admin's extra questions per category, on the category's page: add and remove. The
answers are asked on the report form, stored with the report and offered to Open311 clients."""

from __future__ import annotations

from flask import render_template
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from app.admin import forms, service
from app.admin.blueprint import bp
from app.admin.pages import Page, done, found_or_404, saved
from app.admin.question_forms import KINDS, QuestionForm
from app.admin.service import QuestionData
from app.models import Category
from app.staff.service import all_departments


def category_form(category: Category) -> forms.CategoryForm:
    """The category's own form, filled from the stored category."""
    form = forms.CategoryForm(
        obj=category, department_choices=department_choices(), current_icon=category.icon
    )
    form.icon.data = category.icon or ""
    form.default_department.data = category.default_department_id
    form.notice_kind.data = category.notice_kind or ""
    return form


def department_choices() -> list[tuple[int, str]]:
    return [(d.id, d.name) for d in all_departments()]


def category_page(
    category: Category,
    form: forms.CategoryForm,
    question_form: QuestionForm | None = None,
    status: int = 200,
) -> Page:
    page = render_template(
        "admin/category.html",
        category=category,
        form=form,
        question_form=question_form or QuestionForm(),
        kinds=KINDS,
    )
    return page, status


@bp.post("/kategorien/<int:category_id>/fragen")
def add_question(category_id: int) -> Page | Response:
    category = found_or_404(Category, category_id)
    question_form = QuestionForm()
    if question_form.validate():
        data = QuestionData(
            label=question_form.label.data,
            code=question_form.code.data,
            kind=question_form.kind.data,
            required=question_form.required.data,
            choices=question_form.answers(),
            hint=question_form.hint.data,
        )
        if saved(service.add_question, category, data):
            return done(_("Frage hinzugefügt."), ".category", category_id=category_id)
    return category_page(category, category_form(category), question_form, 422)


@bp.post("/kategorien/<int:category_id>/fragen/<int:question_id>/entfernen")
def remove_question(category_id: int, question_id: int) -> Response:
    category = found_or_404(Category, category_id)
    if saved(service.remove_question, category, question_id):
        return done(_("Frage entfernt."), ".category", category_id=category_id)
    return done(_("Nichts geändert."), ".category", category_id=category_id)
