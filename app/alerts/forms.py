from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, SelectMultipleField, StringField
from wtforms.validators import Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.notifications.forms import LANGUAGES, email_field

AREA_KINDS = [
    ("district", _l("Ein Stadtbezirk")),
    ("address", _l("Umkreis um eine Adresse")),
    ("point", _l("Umkreis um einen Punkt (Koordinaten)")),
]
RADII = [("250", "250 m"), ("500", "500 m"), ("1000", "1 km"), ("2000", "2 km"), ("5000", "5 km")]
MODES = [
    ("immediate", _l("Sofort: eine E-Mail je neuer Meldung")),
    ("digest", _l("Täglich: eine E-Mail mit allen neuen Meldungen des Tages")),
]


class AlertForm(FlaskForm):
    """What the person wants; the view resolves the area (district, address or point)."""

    area = RadioField(_l("Gebiet"), choices=AREA_KINDS, default="district")
    district = SelectField(_l("Stadtbezirk"), choices=[], validate_choice=False)
    address = StringField(
        _l("Adresse"),
        validators=[Optional(), Length(max=100)],
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
    )
    lat = StringField(_l("Breitengrad"), validators=[Length(max=40)])
    lon = StringField(_l("Längengrad"), validators=[Length(max=40)])
    radius = SelectField(_l("Umkreis"), choices=RADII, default="500")
    categories = SelectMultipleField(
        _l("Kategorien"),
        choices=[],
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
    )
    mode = RadioField(_l("Wie oft?"), choices=MODES, default="immediate")
    email = email_field(_l("Ihre E-Mail-Adresse"))
    language = SelectField(_l("Sprache der E-Mails"), choices=LANGUAGES)
