from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, ValidationError

from app.reports.rules import email_address

LANGUAGES = [("de", "Deutsch"), ("en", "English")]


def _address(field: StringField) -> None:
    """The same e-mail rule as for a report's contact; the address is kept normalised."""
    try:
        field.data = email_address(field.data)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None


def email_field(label: str) -> StringField:
    return StringField(
        label,
        validators=[
            DataRequired(message=_l("Bitte geben Sie Ihre E-Mail-Adresse an.")),
            lambda form, field: _address(field),
        ],
        # A pasted address often brings a space along.
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
    )


class LinkForm(FlaskForm):
    """The private tracking link sent once to an address the reporter types after filing."""

    email = email_field(_l("E-Mail-Adresse für den Link"))


class FollowForm(FlaskForm):
    email = email_field(_l("Ihre E-Mail-Adresse"))
    language = SelectField(
        _l("Sprache der E-Mails"),
        choices=LANGUAGES,
        validate_choice=True,
    )
