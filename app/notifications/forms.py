from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired

from app.reports.forms import email_checks

LANGUAGES = [("de", "Deutsch"), ("en", "English")]


class FollowForm(FlaskForm):
    email = StringField(
        _l("Ihre E-Mail-Adresse"),
        validators=[
            DataRequired(message=_l("Bitte geben Sie Ihre E-Mail-Adresse an.")),
            *email_checks(),
        ],
        # A pasted address often brings a space along.
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
    )
    language = SelectField(
        _l("Sprache der E-Mails"),
        choices=LANGUAGES,
        validate_choice=True,
    )
