from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    email = EmailField(
        _l("E-Mail"), validators=[DataRequired(_l("Bitte E-Mail eingeben.")), Length(max=254)]
    )
    password = PasswordField(
        _l("Passwort"), validators=[DataRequired(_l("Bitte Passwort eingeben.")), Length(max=200)]
    )
    next = HiddenField()
