"""The admin pages under /admin. Login is enforced by app.auth.views.guard, the admin role for
every page of the blueprint by app.admin.blueprint.admin_only; each change commits once, here."""

from __future__ import annotations

from flask import (
    current_app,
    make_response,
    render_template,
    request,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user
from werkzeug.wrappers import Response

from app.admin import (  # noqa: F401  (exchange, questions and textbausteine add pages)
    exchange,
    forms,
    questions,
    service,
    textbausteine,
)
from app.admin.blueprint import bp
from app.admin.pages import Page, done, found_or_404, saved
from app.admin.service import AdminError, CategoryData
from app.districts.service import DistrictImportError
from app.extensions import db
from app.models import ApiKey, Category, Department, RoutingRule, User
from app.staff.service import all_departments


@bp.route("/")
def index() -> str:
    return render_template("admin/index.html", counts=service.counts())


# --- accounts -----------------------------------------------------------------------------------


def _department_codes() -> list[tuple[str, str]]:
    return [(d.code, f"{d.name} · {d.code}") for d in all_departments()]


@bp.route("/benutzer", methods=["GET", "POST"])
def users() -> Page | Response:
    form = forms.NewAccountForm(department_choices=_department_codes())
    if request.method != "POST":
        return _users_page(form)
    if form.validate() and saved(
        service.create_account,
        form.email.data,
        form.password.data,
        form.role.data,
        form.departments.data,
        form.name.data,
    ):
        return done(_("Konto angelegt."), ".users")
    return _users_page(form, 422)


def _users_page(form: forms.NewAccountForm, status: int = 200) -> Page:
    page = render_template(
        "admin/users.html", form=form, users=service.users(), roles=forms.ROLE_LABELS
    )
    return page, status


@bp.route("/benutzer/<int:user_id>", methods=["GET", "POST"])
def user(user_id: int) -> Page | Response:
    account = found_or_404(User, user_id)
    if request.method != "POST":
        return _user_page(account)
    form = forms.AccountForm(department_choices=_department_codes())
    if form.validate() and saved(
        service.update_account,
        current_user,
        account,
        form.name.data,
        form.role.data,
        form.departments.data,
    ):
        return done(_("Konto gespeichert."), ".user", user_id=user_id)
    return _user_page(account, form, status=422)


def _user_page(
    account: User,
    form: forms.AccountForm | None = None,
    password_form: forms.PasswordForm | None = None,
    status: int = 200,
) -> Page:
    if form is None:
        data = {
            "name": account.name,
            "role": account.role,
            "departments": [d.code for d in account.departments],
        }
        form = forms.AccountForm(formdata=None, data=data, department_choices=_department_codes())
    page = render_template(
        "admin/user.html",
        account=account,
        form=form,
        password_form=password_form or forms.PasswordForm(formdata=None),
        roles=forms.ROLE_LABELS,
    )
    return page, status


@bp.route("/benutzer/<int:user_id>/passwort", methods=["POST"])
def reset_password(user_id: int) -> Page | Response:
    account = found_or_404(User, user_id)
    form = forms.PasswordForm()
    if not (form.validate() and saved(service.reset_password, account, form.password.data)):
        return _user_page(account, password_form=form, status=422)
    if account.id == current_user.id:
        login_user(account)  # this session goes on, all others of the account end
    return done(
        _("Neues Passwort gesetzt; das Konto ist überall abgemeldet."), ".user", user_id=user_id
    )


@bp.route("/benutzer/<int:user_id>/<any(sperren, freigeben):action>", methods=["POST"])
def set_active(user_id: int, action: str) -> Page | Response:
    account = found_or_404(User, user_id)
    active = action == "freigeben"
    if not saved(service.set_active, current_user, account, active):
        return _user_page(account, status=422)
    message = _("Konto freigegeben.") if active else _("Konto gesperrt und überall abgemeldet.")
    return done(message, ".user", user_id=user_id)


# --- departments --------------------------------------------------------------------------------


@bp.route("/abteilungen", methods=["GET", "POST"])
def departments() -> Page | Response:
    form = forms.NewDepartmentForm()
    if request.method != "POST":
        return _departments_page(form)
    if form.validate() and saved(
        service.create_department, form.code.data, form.name.data, form.email.data
    ):
        return done(_("Abteilung angelegt."), ".departments")
    return _departments_page(form, 422)


def _departments_page(form: forms.NewDepartmentForm, status: int = 200) -> Page:
    page = render_template("admin/departments.html", form=form, departments=all_departments())
    return page, status


@bp.route("/abteilungen/<int:department_id>", methods=["GET", "POST"])
def department(department_id: int) -> Page | Response:
    found = found_or_404(Department, department_id)
    if request.method != "POST":
        form = forms.DepartmentForm(data={"name": found.name, "email": found.email})
        return render_template("admin/department.html", department=found, form=form), 200
    form = forms.DepartmentForm()
    if form.validate() and saved(service.update_department, found, form.name.data, form.email.data):
        return done(_("Abteilung gespeichert."), ".departments")
    return render_template("admin/department.html", department=found, form=form), 422


# --- categories ---------------------------------------------------------------------------------


def _category_data(form: forms.CategoryForm) -> CategoryData:
    return CategoryData(
        name_de=form.name_de.data,
        name_en=form.name_en.data,
        icon=form.icon.data,
        department_id=form.default_department.data,
        active=form.active.data,
        group_name=form.group_name.data,
        help_text=form.help_text.data,
        notice_kind=form.notice_kind.data,
        notice=form.notice.data,
        notice_url=form.notice_url.data,
    )


@bp.route("/kategorien", methods=["GET", "POST"])
def categories() -> Page | Response:
    form = forms.NewCategoryForm(department_choices=questions.department_choices())
    if request.method != "POST":
        return _categories_page(form)
    if form.validate() and saved(service.create_category, form.code.data, _category_data(form)):
        return done(_("Kategorie angelegt."), ".categories")
    return _categories_page(form, 422)


def _categories_page(form: forms.NewCategoryForm, status: int = 200) -> Page:
    page = render_template(
        "admin/categories.html", form=form, categories=service.categories(), icons=forms.ICONS
    )
    return page, status


@bp.route("/kategorien/<int:category_id>", methods=["GET", "POST"])
def category(category_id: int) -> Page | Response:
    category = found_or_404(Category, category_id)
    if request.method != "POST":
        return questions.category_page(category, questions.category_form(category))
    form = forms.CategoryForm(
        department_choices=questions.department_choices(), current_icon=category.icon
    )
    if form.validate() and saved(service.update_category, category, _category_data(form)):
        return done(_("Kategorie gespeichert."), ".categories")
    return questions.category_page(category, form, status=422)


# --- routing rules ------------------------------------------------------------------------------


def _rule_form() -> forms.RoutingRuleForm:
    return forms.RoutingRuleForm(
        categories=[(c.id, c.name_de) for c in service.categories()],
        districts=[(d.id, d.name) for d, _count in service.districts_with_report_counts()],
        departments=questions.department_choices(),
    )


@bp.route("/zustaendigkeiten", methods=["GET", "POST"])
def routing_rules() -> Page | Response:
    form = _rule_form()
    if request.method != "POST":
        return _rules_page(form)
    if form.validate() and saved(
        service.add_routing_rule, form.category.data, form.district.data, form.department.data
    ):
        return done(_("Regel angelegt."), ".routing_rules")
    return _rules_page(form, 422)


def _rules_page(form: forms.RoutingRuleForm, status: int = 200) -> Page:
    page = render_template("admin/routing_rules.html", form=form, rows=service.routing_rules())
    return page, status


@bp.route("/zustaendigkeiten/<int:rule_id>/loeschen", methods=["POST"])
def delete_routing_rule(rule_id: int) -> Response:
    rule = found_or_404(RoutingRule, rule_id)
    service.delete_routing_rule(rule)
    db.session.commit()
    return done(_("Regel gelöscht."), ".routing_rules")


# --- districts ----------------------------------------------------------------------------------


@bp.route("/bezirke", methods=["GET", "POST"])
def districts() -> Page | Response:
    if request.method != "POST":
        form = forms.DistrictUploadForm(data={"name_field": "name", "code_field": "code"})
        return _districts_page(form)
    form = forms.DistrictUploadForm()
    if not form.validate():
        return _districts_page(form, 422)
    try:
        raw = service.read_upload(form.file.data.stream, _upload_limit())
        result, repaired = service.upload_districts(
            raw, form.name_field.data, form.code_field.data, form.replace.data, form.repair.data
        )
        db.session.commit()
    except DistrictImportError as exc:
        db.session.rollback()
        return _districts_page(form, 422, problems=exc.messages)
    message = _(
        "%(created)d Bezirke angelegt, %(updated)d aktualisiert, %(removed)d entfernt.",
        created=result.created,
        updated=result.updated,
        removed=result.removed,
    )
    if repaired:
        message += " " + _("Repariert: %(names)s.", names=", ".join(repaired))
    return done(message, ".districts")


def _upload_limit() -> int:
    return current_app.config["DISTRICT_FILE_MAX_BYTES"]


def _districts_page(
    form: forms.DistrictUploadForm, status: int = 200, problems: list[str] | None = None
) -> Page:
    page = render_template(
        "admin/districts.html",
        form=form,
        rows=service.districts_with_report_counts(),
        problems=problems or [],
        limit=_upload_limit(),
    )
    return page, status


# --- API keys -----------------------------------------------------------------------------------


@bp.route("/api-schluessel", methods=["GET", "POST"])
def api_keys() -> Page | Response:
    form = forms.ApiKeyForm()
    if request.method != "POST":
        return _api_keys_page(form)
    if not form.validate():
        return _api_keys_page(form, 422)
    try:
        api_key, key = service.new_api_key(form.name.data.strip(), form.can_update.data)
    except AdminError as exc:
        form.name.errors = [str(exc)]
        return _api_keys_page(form, 422)
    db.session.commit()
    # Shown in this answer only: not flashed (the session cookie is readable), never stored.
    page, status = _api_keys_page(forms.ApiKeyForm(formdata=None), new=(api_key, key))
    response = make_response(page, status)
    response.headers["Cache-Control"] = "no-store"
    return response


def _api_keys_page(
    form: forms.ApiKeyForm, status: int = 200, new: tuple[ApiKey, str] | None = None
) -> Page:
    page = render_template("admin/api_keys.html", form=form, keys=service.api_keys(), new=new)
    return page, status


@bp.route("/api-schluessel/<int:key_id>/sperren", methods=["POST"])
def revoke_api_key(key_id: int) -> Response:
    api_key = found_or_404(ApiKey, key_id)
    service.revoke_api_key(api_key)
    db.session.commit()
    return done(_("API-Schlüssel „%(name)s“ gesperrt.", name=api_key.name), ".api_keys")
