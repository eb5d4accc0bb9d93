"""The citizen's unsent report stays on the phone: reloading the form offers
"Entwurf wiederherstellen", which brings back category, place, description and the category's
answers — never name, e-mail, phone or photos; a sent report forgets its draft."""

from __future__ import annotations

import json

from playwright.sync_api import Page, expect

from tests.e2e.conftest import choose_category, open_coordinates
from tests.e2e.test_accessibility import assert_accessible

KEY = "maengelmelder.entwurf"


def stored_draft(page: Page) -> dict | None:
    raw = page.evaluate("(key) => localStorage.getItem(key)", KEY)
    return json.loads(raw) if raw else None


def test_an_unsent_report_comes_back_without_contact_data(phone: Page, server: str):
    phone.goto(server + "/melden")
    open_coordinates(phone)
    phone.get_by_label("Breitengrad").fill("51,1705")
    phone.get_by_label("Längengrad").fill("7,0845")
    choose_category(phone, "Straßenbeleuchtung defekt")
    phone.get_by_label("Nummer am Laternenmast (freiwillig)").fill("L 4711")
    phone.get_by_label("Beschreibung").fill("Laterne vor dem Kindergarten ist aus.")
    phone.get_by_label("Name").fill("Erika Mustermann")
    phone.get_by_label("E-Mail").fill("erika@example.org")
    draft = stored_draft(phone)
    assert draft["description"] == "Laterne vor dem Kindergarten ist aus."
    assert "Erika" not in json.dumps(draft) and "erika@" not in json.dumps(draft)

    phone.reload()
    expect(phone.get_by_label("Beschreibung")).to_have_value("")
    assert_accessible(phone)
    phone.get_by_role("button", name="Entwurf wiederherstellen").tap()
    expect(phone.get_by_label("Beschreibung")).to_have_value(
        "Laterne vor dem Kindergarten ist aus."
    )
    expect(phone.get_by_role("radio", name="Straßenbeleuchtung defekt", exact=True)).to_be_checked()
    expect(phone.get_by_label("Nummer am Laternenmast (freiwillig)")).to_have_value("L 4711")
    open_coordinates(phone)
    expect(phone.get_by_label("Breitengrad")).to_have_value("51,1705")
    expect(phone.get_by_label("Name")).to_have_value("")
    expect(phone.locator("#send-status")).to_contain_text("Entwurf wiederhergestellt")

    phone.get_by_role("button", name="Meldung absenden").click()
    expect(phone.get_by_role("heading", name="Vielen Dank für Ihre Meldung!")).to_be_visible()
    assert stored_draft(phone) is None
    phone.goto(server + "/melden")
    expect(phone.get_by_role("button", name="Entwurf wiederherstellen")).to_have_count(0)


def test_a_draft_can_be_dropped(phone: Page, server: str):
    phone.goto(server + "/melden")
    phone.get_by_label("Beschreibung").fill("Nur ein Versuch.")
    phone.reload()
    phone.get_by_role("button", name="Verwerfen").tap()
    assert stored_draft(phone) is None
    phone.reload()
    expect(phone.get_by_role("button", name="Entwurf wiederherstellen")).to_have_count(0)
