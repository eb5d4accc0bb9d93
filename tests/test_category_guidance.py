"""Category guidance: admins set a group, a help line and a notice per category; the report
form groups the categories and shows the chosen one's help and notice (listed without JS)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Category
from tests.test_admin_organisation import category_fields, department


def _licht() -> Category:
    return db.session.scalars(select(Category).where(Category.code == "licht")).one()


def _edit(admin, **fields: str):
    data = category_fields(code=None, name_de="Straßenbeleuchtung defekt")
    data["default_department"] = str(department("tbs-licht").id)
    return admin.post(f"/admin/kategorien/{_licht().id}", data=data | fields)


def test_an_admin_sets_group_help_and_notice(admin, client):
    response = _edit(
        admin,
        group_name="Straße und Verkehr",
        help_text="Die Nummer am Mast hilft.",
        notice_kind="elsewhere",
        notice="Laternen an Autobahnen betreut die Autobahn GmbH.",
        notice_url="https://www.autobahn.de/",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    category = _licht()
    assert (category.group_name, category.notice_kind) == ("Straße und Verkehr", "elsewhere")
    form = client.get("/melden").get_data(as_text=True)
    assert "<legend>Straße und Verkehr</legend>" in form
    help_line = (
        f'<p class="tile-help" id="category-help-{category.id}">Die Nummer am Mast hilft.</p>'
    )
    assert help_line in form
    assert 'data-notice-kind="elsewhere"' in form and "https://www.autobahn.de/" in form
    # Without JavaScript the notices are listed under the category.
    assert "Hinweise zu einzelnen Kategorien" in form
    assert "Laternen an Autobahnen betreut die Autobahn GmbH." in form


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"notice_kind": "emergency", "notice": ""}, "Ein Hinweis braucht einen Text."),
        ({"notice_kind": "info", "notice": "x", "notice_url": "javascript:alert(1)"}, "http(s)"),
        ({"notice_kind": "boese"}, ""),
        ({"help_text": "x" * 301}, "Höchstens 300 Zeichen."),
        ({"group_name": "Zeile\nUmbruch"}, ""),
    ],
)
def test_bad_guidance_is_refused_and_changes_nothing(admin, fields, message):
    before = _guidance()
    response = _edit(admin, **fields)
    assert response.status_code == 422, fields
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert _guidance() == before


def _guidance() -> tuple:
    c = _licht()
    return c.group_name, c.help_text, c.notice_kind, c.notice, c.notice_url


def test_the_form_shows_the_emergency_numbers(client):
    form = client.get("/melden").get_data(as_text=True)
    assert "110" in form and "112" in form
