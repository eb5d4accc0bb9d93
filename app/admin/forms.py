"""Forms of the admin pages. They check the shape of the input; the service checks it against
the database (unique codes, existing departments, one's own account)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp, ValidationError

from app.auth.passwords import MAX_PASSWORD, MIN_PASSWORD

# One-line fields: no control characters at all (not even line breaks), no Unicode separators.
LINE_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff]")
# Codes appear in URLs, Open311 service codes and the CLI: keep them plain.
CODE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")

ROLE_LABELS = {
    "admin": _l("Verwaltung (admin)"),
    "dispatcher": _l("Digitale Poststelle (dispatcher)"),
    "crew": _l("Fachabteilung / Außendienst (crew)"),
}

# The category symbols the front end knows (the names used by the demo city's categories).
ICONS = {
    "trash": _l("Müll"),
    "bin": _l("Papierkorb"),
    "road": _l("Straße"),
    "lamp": _l("Laterne"),
    "traffic-light": _l("Ampel"),
    "sign": _l("Verkehrsschild"),
    "tree": _l("Baum"),
    "leaf": _l("Blatt"),
    "spray": _l("Spraydose"),
    "snow": _l("Schnee"),
    "badge": _l("Dienstmarke"),
}


def _strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


def single_line(form: FlaskForm, field: StringField) -> None:
    if field.data and LINE_CONTROL.search(field.data):
        raise ValidationError(_l("Der Text enthält unzulässige Steuerzeichen."))


def text_field(
    label: str, max_length: int, required: bool = True, extra: tuple = ()
) -> StringField:
    first = DataRequired(_l("Bitte ausfüllen.")) if required else Optional()
    return StringField(
        label,
        validators=[
            first,
            Length(max=max_length, message=_l("Höchstens %(n)d Zeichen.", n=max_length)),
            single_line,
            *extra,
        ],
        filters=[_strip],
    )


def code_field() -> StringField:
    pattern = Regexp(CODE, message=_l("Nur Kleinbuchstaben a–z, Ziffern, „-“ und „_“."))
    return text_field(_l("Code"), 50, extra=(pattern,))


def _email(label: str, required: bool) -> StringField:
    valid = Email(
        message=_l("Bitte eine gültige E-Mail-Adresse eingeben."), check_deliverability=False
    )
    return text_field(label, 254, required, extra=(valid,))


def _password(label: str) -> PasswordField:
    return PasswordField(
        label,
        validators=[
            DataRequired(_l("Bitte ein Passwort eingeben.")),
            Length(
                min=MIN_PASSWORD,
                max=MAX_PASSWORD,
                message=_l(
                    "Das Passwort muss %(low)d bis %(high)d Zeichen haben.",
                    low=MIN_PASSWORD,
                    high=MAX_PASSWORD,
                ),
            ),
            single_line,
        ],
    )


def _safe_int(value: object) -> int | None:
    """Coerce for id selects: a hostile value becomes None (refused), not an exception."""
    try:
        number = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**31 else None


def _id_select(label: str) -> SelectField:
    # validate_choice=False: WTForms' own message is English; ours follow in validate_<name>.
    return SelectField(label, coerce=_safe_int, validate_choice=False)


def _check_choice(field: SelectField, message: str) -> None:
    if field.data not in {value for value, _ in field.choices or []}:
        raise ValidationError(message)


class AccountForm(FlaskForm):
    """Name, role and departments of an account: what an admin may change later."""

    name = text_field(_l("Name"), 200)
    role = SelectField(_l("Rolle"), validate_choice=False)
    departments = SelectMultipleField(_l("Abteilungen"), validate_choice=False)

    def __init__(
        self, *args: object, department_choices: Iterable[tuple[str, str]], **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)
        self.role.choices = list(ROLE_LABELS.items())
        self.departments.choices = list(department_choices)

    def validate_role(self, field: SelectField) -> None:
        _check_choice(field, _l("Bitte eine Rolle aus der Liste wählen."))

    def validate_departments(self, field: SelectMultipleField) -> None:
        known = {code for code, _ in field.choices or []}
        if any(code not in known for code in field.data or []):
            raise ValidationError(_l("Bitte nur Abteilungen aus der Liste wählen."))
        if self.role.data == "crew" and not field.data:
            raise ValidationError(_l("Ein Konto der Rolle crew braucht mindestens eine Abteilung."))


class NewAccountForm(AccountForm):
    email = _email(_l("E-Mail"), required=True)
    password = _password(_l("Anfangspasswort (mindestens %(n)d Zeichen)", n=MIN_PASSWORD))


class PasswordForm(FlaskForm):
    password = _password(_l("Neues Passwort (mindestens %(n)d Zeichen)", n=MIN_PASSWORD))


class DepartmentForm(FlaskForm):
    name = text_field(_l("Name"), 200)
    email = _email(_l("E-Mail der Abteilung (freiwillig)"), required=False)


class NewDepartmentForm(DepartmentForm):
    code = code_field()


NOTICE_KINDS = {
    "": _l("– kein Hinweis –"),
    "emergency": _l("Notfall (110/112)"),
    "elsewhere": _l("Zuständig ist eine andere Stelle"),
    "info": _l("Hinweis"),
}


def _http_link(form: FlaskForm, field: StringField) -> None:
    if field.data:
        parts = urlsplit(field.data)
        if parts.scheme not in ("http", "https") or not parts.hostname or " " in field.data:
            raise ValidationError(_l("Bitte eine vollständige http(s)-Adresse."))


class CategoryForm(FlaskForm):
    name_de = text_field(_l("Name (deutsch)"), 200)
    name_en = text_field(_l("Name (englisch, freiwillig)"), 200, required=False)
    icon = SelectField(_l("Symbol"), validate_choice=False)
    default_department = _id_select(_l("Zuständige Abteilung (Standard)"))
    active = BooleanField(_l("Aktiv (Bürgerinnen und Bürger können sie wählen)"), default=True)
    # Guidance on the report form.
    group_name = text_field(
        _l("Gruppe im Formular (z. B. „Straße und Verkehr“)"), 100, required=False
    )
    help_text = text_field(_l("Hilfetext (eine Zeile unter der Kategorie)"), 300, required=False)
    notice_kind = SelectField(
        _l("Hinweis vor dem Absenden"), choices=list(NOTICE_KINDS.items()), default=""
    )
    notice = text_field(_l("Text des Hinweises"), 1000, required=False)
    notice_url = text_field(
        _l("Link im Hinweis (z. B. zur zuständigen Stelle)"), 2048, False, (_http_link,)
    )

    def validate(self, extra_validators: object = None) -> bool:
        # Not an inline validator: an empty optional field stops its own validators early.
        valid = super().validate(extra_validators)
        if self.notice_kind.data and not self.notice.data:
            self.notice.errors = [*self.notice.errors, _l("Ein Hinweis braucht einen Text.")]
            return False
        return valid

    def __init__(
        self,
        *args: object,
        department_choices: Iterable[tuple[int, str]],
        current_icon: str | None = None,
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)
        icons = [("", _l("– kein Symbol –")), *ICONS.items()]
        # A symbol set outside this page (CLI, older data) stays selectable for its category.
        if current_icon and current_icon not in ICONS:
            icons.append((current_icon, current_icon))
        self.icon.choices = icons
        self.default_department.choices = list(department_choices)

    def validate_icon(self, field: SelectField) -> None:
        _check_choice(field, _l("Bitte ein Symbol aus der Liste wählen."))

    def validate_default_department(self, field: SelectField) -> None:
        _check_choice(field, _l("Bitte eine Abteilung aus der Liste wählen."))


class NewCategoryForm(CategoryForm):
    code = code_field()


class RoutingRuleForm(FlaskForm):
    category = _id_select(_l("Kategorie"))
    district = _id_select(_l("Stadtbezirk"))
    department = _id_select(_l("Zuständige Abteilung"))

    def __init__(
        self,
        *args: object,
        categories: Iterable[tuple[int, str]],
        districts: Iterable[tuple[int, str]],
        departments: Iterable[tuple[int, str]],
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.category.choices = list(categories)
        self.district.choices = list(districts)
        self.department.choices = list(departments)

    def validate_category(self, field: SelectField) -> None:
        _check_choice(field, _l("Bitte eine Kategorie aus der Liste wählen."))

    def validate_district(self, field: SelectField) -> None:
        _check_choice(field, _l("Bitte einen Stadtbezirk aus der Liste wählen."))

    def validate_department(self, field: SelectField) -> None:
        _check_choice(field, _l("Bitte eine Abteilung aus der Liste wählen."))


class DistrictUploadForm(FlaskForm):
    file = FileField(_l("GeoJSON-Datei (FeatureCollection in EPSG:4326)"))
    name_field = text_field(_l("Eigenschaft mit dem Namen des Bezirks"), 100)
    code_field = text_field(_l("Eigenschaft mit dem eindeutigen Schlüssel"), 100)
    replace = BooleanField(_l("Bezirke, die nicht in der Datei stehen, entfernen (--replace)"))
    repair = BooleanField(_l("Ungültige Geometrien reparieren statt ablehnen (--repair)"))

    def validate_file(self, field: FileField) -> None:
        if not getattr(field.data, "filename", None):
            raise ValidationError(_l("Bitte eine Datei auswählen."))


class ApiKeyForm(FlaskForm):
    name = text_field(_l("Wer bekommt den Schlüssel? (z. B. Name der App)"), 200)
    can_update = BooleanField(
        _l("Darf auch Updates (Status, Hinweise) zu den eigenen Meldungen senden")
    )


class BodyForm(FlaskForm):
    """A new body. Only the choices are checked here; app.exchange.bodies.add_body checks the
    rest, so that every problem of the form is named at once."""

    name = StringField(_l("Name der Stelle"), filters=[_strip])
    email = StringField(_l("E-Mail-Adresse (Versand per E-Mail, Kontakt)"), filters=[_strip])
    open311_url = StringField(_l("Open311-Adresse (freiwillig), z. B. https://…/open311/v2"))
    # A secret of theirs: a password field is never filled in again when the page comes back.
    api_key = PasswordField(_l("Ihr API-Schlüssel für uns (nur für Open311)"))
    # Checked here too: add_body lets 101 to 200 characters through to a column of 100.
    jurisdiction = text_field(_l("jurisdiction_id (freiwillig)"), 100, required=False)
    area = FileField(_l("Gebiet als GeoJSON (freiwillig, EPSG:4326)"))
    categories = SelectMultipleField(_l("Kategorien (keine gewählt: alle)"), validate_choice=False)
    partner_key = SelectField(
        _l("Unser Open311-Schlüssel, mit dem die Stelle Updates sendet (freiwillig)"),
        default="",
        validate_choice=False,
    )

    def __init__(
        self,
        *args: object,
        categories: Iterable[tuple[str, str]],
        partner_keys: Iterable[str],
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.categories.choices = list(categories)
        self.partner_key.choices = [("", _l("– keiner –")), *((n, n) for n in partner_keys)]

    def validate_categories(self, field: SelectMultipleField) -> None:
        known = {code for code, _ in field.choices or []}
        if any(code not in known for code in field.data or []):
            raise ValidationError(_l("Bitte nur aktive Kategorien aus der Liste wählen."))

    def validate_partner_key(self, field: SelectField) -> None:
        _check_choice(field, _l("Bitte einen aktiven Schlüssel aus der Liste wählen."))


class RemoveBodyForm(FlaskForm):
    confirm = BooleanField(
        _l("Ja, diese Stelle entfernen"),
        validators=[DataRequired(_l("Bitte bestätigen Sie das Entfernen."))],
    )
