from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField

from app.notifications.forms import email_field


class SupportForm(FlaskForm):
    """ "Ich bin auch betroffen": the address the confirmation goes to, and whether the person
    wants the report's news too."""

    email = email_field(_l("Ihre E-Mail-Adresse"))
    follow = BooleanField(_l("Auch über Neuigkeiten zu dieser Meldung informieren"))
