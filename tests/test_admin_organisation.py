"""Admin pages for departments, categories and routing rules: changes, and refusals that
change nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.admin import service
from app.extensions import db
from app.models import Category, Department, District, Report, RoutingRule
from tests.admin_support import count, page_text, refused
from tests.factories import demo_districts, inside_point


def department(code: str) -> Department:
    return db.session.scalar(select(Department).where(Department.code == code))


def category(code: str) -> Category:
    return db.session.scalar(select(Category).where(Category.code == code))


def district(code: str) -> District:
    return db.session.scalar(select(District).where(District.code == code))


# --- departments --------------------------------------------------------------------------------


def test_admin_creates_and_edits_a_department(admin):
    fields = {"code": "bauhof", "name": "Bauhof", "email": "bauhof@example.org"}
    response = admin.post("/admin/abteilungen", data=fields)
    assert response.status_code == 302
    created = department("bauhof")
    assert (created.name, created.email) == ("Bauhof", "bauhof@example.org")
    assert "Bauhof" in page_text(admin.get("/admin/abteilungen"))

    changed = {"name": "Städtischer Bauhof", "email": ""}
    assert admin.post(f"/admin/abteilungen/{created.id}", data=changed).status_code == 302
    assert (department("bauhof").name, department("bauhof").email) == ("Städtischer Bauhof", None)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"code": "tbs-licht", "name": "Doppelt"}, "schon eine Abteilung mit dem Code"),
        ({"code": "Bau Hof", "name": "Bauhof"}, "Nur Kleinbuchstaben"),
        ({"code": "x" * 51, "name": "Bauhof"}, "Höchstens 50 Zeichen"),
        ({"code": "", "name": "Bauhof"}, "Bitte ausfüllen"),
        ({"code": "bauhof", "name": "x" * 201}, "Höchstens 200 Zeichen"),
        ({"code": "bauhof", "name": "Bau\x00hof"}, "Steuerzeichen"),
        ({"code": "bauhof", "name": "Bauhof", "email": "kein-at"}, "gültige E-Mail"),
    ],
)
def test_bad_departments_are_refused(admin, fields, message):
    before = count(Department)
    refused(admin.post("/admin/abteilungen", data=fields), message)
    assert count(Department) == before


def test_bad_department_edit_changes_nothing(admin):
    light = department("tbs-licht")
    fields = {"name": "Licht", "email": "nicht gültig"}
    refused(admin.post(f"/admin/abteilungen/{light.id}", data=fields), "gültige E-Mail")
    assert department("tbs-licht").name == "TBS – Straßenbeleuchtung"


# --- categories ---------------------------------------------------------------------------------


def category_fields(**overrides: object) -> dict:
    fields: dict = {
        "code": "baum",
        "name_de": "Baum umgestürzt",
        "name_en": "Fallen tree",
        "icon": "tree",
        "default_department": str(department("tbs-gruen").id),
        "active": "y",
    }
    fields.update(overrides)
    return {k: v for k, v in fields.items() if v is not None}


def test_admin_creates_a_category_citizens_can_choose(admin):
    assert admin.post("/admin/kategorien", data=category_fields()).status_code == 302
    created = category("baum")
    assert (created.name_de, created.name_en, created.icon, created.active) == (
        "Baum umgestürzt",
        "Fallen tree",
        "tree",
        True,
    )
    assert created.default_department.code == "tbs-gruen"
    assert "Baum umgestürzt" in page_text(admin.get("/melden"))


def test_admin_edits_and_deactivates_a_category(admin):
    light = category("licht")
    fields = category_fields(
        code=None,
        name_de="Laterne aus",
        name_en="",
        icon="",
        default_department=str(department("tiefbau").id),
        active=None,
    )
    assert admin.post(f"/admin/kategorien/{light.id}", data=fields).status_code == 302
    changed = category("licht")
    assert (changed.name_de, changed.name_en, changed.icon, changed.active) == (
        "Laterne aus",
        None,
        None,
        False,
    )
    assert changed.default_department.code == "tiefbau"
    assert "Laterne aus" not in page_text(admin.get("/melden"))


def test_icon_set_elsewhere_stays_selectable_for_its_category(admin):
    light = category("licht")
    light.icon = "bulb"  # e.g. set by an older import
    db.session.commit()
    assert 'value="bulb"' in page_text(admin.get(f"/admin/kategorien/{light.id}"))
    fields = category_fields(code=None, icon="bulb")
    assert admin.post(f"/admin/kategorien/{light.id}", data=fields).status_code == 302
    assert 'value="bulb"' not in page_text(admin.get("/admin/kategorien"))
    other = category("muell")
    refused(admin.post(f"/admin/kategorien/{other.id}", data=fields), "Symbol aus der Liste")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"code": "licht"}, "schon eine Kategorie mit dem Code"),
        ({"icon": "totenkopf"}, "Symbol aus der Liste"),
        ({"icon": "<script>"}, "Symbol aus der Liste"),
        ({"default_department": "999999"}, "Abteilung aus der Liste"),
        ({"default_department": "abc"}, "Abteilung aus der Liste"),
        ({"default_department": "99999999999999999999"}, "Abteilung aus der Liste"),
        ({"default_department": None}, "Abteilung aus der Liste"),
        ({"name_de": ""}, "Bitte ausfüllen"),
        ({"name_en": "x" * 201}, "Höchstens 200 Zeichen"),
        ({"name_de": "Baum\u2028um"}, "Steuerzeichen"),
        ({"code": "BAUM!"}, "Nur Kleinbuchstaben"),
    ],
)
def test_bad_categories_are_refused(admin, overrides, message):
    before = count(Category)
    refused(admin.post("/admin/kategorien", data=category_fields(**overrides)), message)
    assert count(Category) == before


def test_bad_category_edit_changes_nothing(admin):
    light = category("licht")
    fields = category_fields(code=None, name_de="Neu", icon="totenkopf")
    refused(admin.post(f"/admin/kategorien/{light.id}", data=fields), "Symbol aus der Liste")
    assert category("licht").name_de == "Straßenbeleuchtung defekt"


# --- routing rules ------------------------------------------------------------------------------


def rule_fields(category_code: str, district_code: str, department_code: str) -> dict:
    return {
        "category": str(category(category_code).id),
        "district": str(district(district_code).id),
        "department": str(department(department_code).id),
    }


def test_new_rule_routes_new_reports(admin, make_report):
    fields = rule_fields("licht", "1", "tiefbau")
    assert admin.post("/admin/zustaendigkeiten", data=fields).status_code == 302
    assert "Tiefbauunterhaltung" in page_text(admin.get("/admin/zustaendigkeiten"))
    make_report()  # a street light in Mitte
    assert db.session.scalar(select(Report)).department.code == "tiefbau"


def test_duplicate_rule_is_refused_with_a_clear_message(admin):
    fields = rule_fields("gruen", "4", "tbs-gruen")  # the demo city has gruen × Burg already
    before = count(RoutingRule)
    refused(admin.post("/admin/zustaendigkeiten", data=fields), "gibt es schon eine Regel")
    assert count(RoutingRule) == before
    rule = db.session.scalar(select(RoutingRule))
    assert rule.department_id == department("sd67").id


@pytest.mark.parametrize("field", ["category", "district", "department"])
@pytest.mark.parametrize("value", ["999999", "x", ""])
def test_rule_with_unknown_parts_is_refused(admin, field, value):
    fields = rule_fields("licht", "1", "tiefbau")
    fields[field] = value
    before = count(RoutingRule)
    refused(admin.post("/admin/zustaendigkeiten", data=fields), "aus der Liste")
    assert count(RoutingRule) == before


def test_deleting_a_rule_restores_the_default_department(admin, make_report):
    burg = next(f for f in demo_districts() if f["properties"]["code"] == "4")
    rule = db.session.scalar(select(RoutingRule))
    response = admin.post(f"/admin/zustaendigkeiten/{rule.id}/loeschen")
    assert response.status_code == 302
    assert count(RoutingRule) == 0
    lat, lon = inside_point(burg)
    make_report(code="gruen", at=(lat, lon))
    assert db.session.scalar(select(Report)).department.code == "tbs-gruen"
    assert admin.post(f"/admin/zustaendigkeiten/{rule.id}/loeschen").status_code == 404


def test_code_taken_at_the_same_moment_is_refused_not_a_crash(admin, monkeypatch):
    def create_past_the_check(code: str, name: str, email: str | None) -> Department:
        # As if another admin had saved the same code between our check and our insert.
        taken = Department(code=code, name=name, email=email)
        db.session.add(taken)
        db.session.flush()
        return taken

    monkeypatch.setattr(service, "create_department", create_past_the_check)
    before = count(Department)
    refused(admin.post("/admin/abteilungen", data={"code": "tbs-licht", "name": "X"}), "inzwischen")
    assert count(Department) == before
