""" "Schon gemeldet?" on a phone: with JavaScript the list appears as the place and the category
are set; without it a button shows the same list as a step of the form."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.conftest import choose_category, open_coordinates
from tests.e2e.test_accessibility import assert_accessible, file_report
from tests.e2e.test_phone_map import no_js  # noqa: F401  (fixture)


def test_the_list_follows_place_and_category(phone: Page, server: str):
    case = file_report(phone, server, "Laterne am Rathaus flackert.")  # at 51,1705 7,0845
    phone.goto(server + "/melden")
    nearby = phone.locator("#nearby")
    expect(nearby).to_be_hidden()
    open_coordinates(phone)
    phone.get_by_label("Breitengrad").fill("51,1706")
    phone.get_by_label("Längengrad").fill("7,0845")
    phone.get_by_label("Längengrad").blur()
    choose_category(phone, "Straßenbeleuchtung defekt")
    expect(nearby).to_be_visible()
    expect(nearby).to_contain_text(case)
    expect(nearby).to_contain_text("m entfernt")
    expect(phone.locator("#nearby-count")).to_contain_text("ähnliche")
    assert_accessible(phone)
    choose_category(phone, "Wilde Müllkippe")  # another category: 150 m, still listed
    expect(nearby).to_contain_text(case)
    phone.get_by_label("Breitengrad").fill("51,1800")
    phone.get_by_label("Breitengrad").blur()
    expect(nearby).to_be_hidden()  # a kilometre away: nothing like it


def test_without_javascript_a_button_shows_them(no_js: Page, server: str):  # noqa: F811
    case = file_report(no_js, server, "Laterne am Markt ist aus.")
    no_js.goto(server + "/melden")
    no_js.get_by_label("Breitengrad").fill("51,1705")
    no_js.get_by_label("Längengrad").fill("7,0846")
    no_js.locator(".tile", has_text="Straßenbeleuchtung defekt").click()
    no_js.get_by_role("button", name="Ähnliche Meldungen in der Nähe anzeigen").click()
    nearby = no_js.locator("#nearby")
    expect(nearby).to_be_visible()
    expect(nearby).to_contain_text(case)
    expect(no_js.get_by_role("radio", name="Straßenbeleuchtung defekt", exact=True)).to_be_checked()
    assert_accessible(no_js)
