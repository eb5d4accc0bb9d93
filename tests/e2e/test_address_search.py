"""The place by address in the report form, with the keyboard alone: without JavaScript (radio
buttons from the server) and with it (the combobox); the place description under the map; axe
on both. The server's database gets a few fictional addresses for this module only."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import psycopg
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.engine import make_url

from tests.e2e.conftest import (
    PHONE,
    flask_command,
    new_context,
    open_coordinates,
    server_database,
    shot_path,
)
from tests.e2e.test_accessibility import assert_accessible

SOURCE = "e2e-adressen"
# In Mitte, 500 m from the point the other browser tests file their reports at.
ADDRESSES = """street,number,lat,lon
Teststraße,10,51.166300,7.079800
Teststraße,12,51.166500,7.080000
Teststraße,14,51.166700,7.080200
"""
PLACE = "Ort: Teststraße 12 (ungefähr)"


@pytest.fixture(scope="module", autouse=True)
def addresses(app, server, tmp_path_factory) -> Iterator[None]:
    path = tmp_path_factory.mktemp("adressen") / "adressen.csv"
    path.write_text(ADDRESSES, encoding="utf-8")
    database = server_database(app)
    env = dict(os.environ, FLASK_APP="wsgi.py", DATABASE_URL=database, SECRET_KEY="e2e-" + "x" * 40)
    flask_command(env, "addresses", "import", str(path), "--format", "csv", "--source", SOURCE)
    yield
    url = make_url(database)
    with psycopg.connect(
        host=url.host,
        port=url.port,
        user=url.username,
        password=url.password,
        dbname=url.database,
        autocommit=True,
    ) as connection:
        connection.execute("DELETE FROM addresses WHERE source = %s", (SOURCE,))
        connection.execute("DELETE FROM streets WHERE source = %s", (SOURCE,))


def focused(page: Page) -> str:
    return page.evaluate("document.activeElement.id || document.activeElement.innerText.trim()")


def tab_to(page: Page, target: str, limit: int = 40) -> None:
    """Presses Tab until the element with this id (or text) has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused(page) == target:
            return
    raise AssertionError(f"Tab never reached {target!r}")


def finish_and_send(page: Page) -> None:
    """Category, description and sending, with the keyboard."""
    tab_to(page, "category")  # the first category tile
    page.keyboard.press("Space")
    # Without JavaScript the categories' notices (a disclosure) come between: tab past them.
    tab_to(page, "description")
    page.keyboard.type("Gullydeckel klappert.")
    tab_to(page, "Meldung absenden")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Vielen Dank für Ihre Meldung!")).to_be_visible()


def test_without_javascript_the_keyboard_finds_the_place(browser, server: str, request):
    context = new_context(browser, server, java_script_enabled=False, **PHONE)
    page = context.new_page()
    try:
        page.goto(server + "/melden")
        tab_to(page, "address")  # the first field of the form
        page.keyboard.type("Xylophonallee 99")
        page.keyboard.press("Enter")  # no place yet: Enter searches
        error = page.locator("#address-error")
        expect(error).to_contain_text("Zu „Xylophonallee 99“ wurde keine Adresse")
        expect(page.locator("#address")).to_be_focused()  # the message describes the field

        page.keyboard.press("Control+A")
        page.keyboard.type("Teststraße 12")
        page.keyboard.press("Tab")
        expect(page.get_by_role("button", name="Suchen")).to_be_focused()
        page.keyboard.press("Enter")
        results = page.get_by_role("group", name=re.compile("gefunden für „Teststraße 12“"))
        expect(results).to_be_visible()
        first = results.get_by_role("radio", name="Teststraße 12, Mitte")
        expect(first).to_be_focused()  # the page comes back at the places found

        page.keyboard.press("Space")
        expect(first).to_be_checked()
        tab_to(page, "Übernehmen")
        page.keyboard.press("Enter")
        expect(page.locator("#place")).to_have_text(PLACE)
        expect(page.locator("#place")).to_be_focused()
        expect(page.get_by_label("Breitengrad")).to_have_value("51,166500")
        expect(page.get_by_label("Längengrad")).to_have_value("7,080000")
        finish_and_send(page)
    finally:
        page.screenshot(path=str(shot_path(request.node.name)), full_page=True)
        context.close()


def test_the_answers_without_javascript_are_accessible(browser, server: str, request):
    # axe needs scripts of its own: the page's scripts are refused instead, so that it stays
    # what a browser without JavaScript shows.
    context = new_context(browser, server, **PHONE)
    page = context.new_page()
    page.route("**/static/js/*", lambda route: route.abort())
    try:
        page.goto(server + "/melden")
        expect(page.locator("html.no-js")).to_have_count(1)
        page.get_by_label("Adresse oder Ort suchen").fill("Xylophonallee 99")
        page.get_by_role("button", name="Suchen").click()
        expect(page.locator("#address-error")).to_be_visible()
        expect(page.locator("#address")).to_have_attribute("aria-invalid", "true")
        assert_accessible(page)
        page.get_by_label("Adresse oder Ort suchen").fill("Teststraße 12")
        page.get_by_role("button", name="Suchen").click()
        expect(page.get_by_role("radio", name="Teststraße 12, Mitte")).to_be_visible()
        assert_accessible(page)
        page.get_by_role("radio", name="Teststraße 12, Mitte").check()
        page.get_by_role("button", name="Übernehmen").click()
        expect(page.locator("#place")).to_have_text(PLACE)
        assert_accessible(page)
    finally:
        page.screenshot(path=str(shot_path(request.node.name)), full_page=True)
        context.close()


def test_the_combobox_sets_the_pin_with_the_keyboard(phone: Page, server: str):
    asked: list[str] = []
    phone.on("request", lambda r: asked.append(r.url) if "/api/v1/adressen?" in r.url else None)
    phone.goto(server + "/melden")
    expect(phone.locator("#map .leaflet-tile-loaded").first).to_be_attached()
    tab_to(phone, "address")
    box = phone.get_by_role("combobox", name="Adresse oder Ort suchen")
    expect(box).to_be_focused()
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(box).to_have_attribute("aria-controls", "address-suggestions")

    phone.keyboard.type("Teststraße 12", delay=40)
    listbox = phone.get_by_role("listbox", name="Vorschläge")
    expect(listbox).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(phone.locator("#address-count")).to_have_text(
        re.compile(r"^(1 Vorschlag|\d+ Vorschläge)$")
    )
    # Typing waits for a pause: not one request per key.
    assert 1 <= len(asked) <= 3, asked

    phone.keyboard.press("ArrowDown")
    option = listbox.get_by_role("option", name="Teststraße 12, Mitte")
    expect(option).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", option.get_attribute("id") or "")
    assert_accessible(phone)  # with the suggestions open

    phone.keyboard.press("Enter")
    expect(listbox).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(box).to_have_value("Teststraße 12, Mitte")
    expect(phone.get_by_label("Breitengrad")).to_have_value("51,166500")
    expect(phone.get_by_label("Längengrad")).to_have_value("7,080000")
    expect(phone.locator("#location-status")).to_contain_text("Ort gesetzt")
    expect(phone.locator("#place")).to_have_text(PLACE)
    expect(phone.locator("#map .leaflet-marker-icon")).to_have_count(1)
    assert phone.url.endswith("/melden")  # Enter chose; it sent nothing
    assert_accessible(phone)

    # Escape closes the suggestions and keeps the text.
    box.focus()
    phone.keyboard.press("Control+A")
    phone.keyboard.type("Teststr", delay=40)
    expect(listbox).to_be_visible()
    phone.keyboard.press("Escape")
    expect(listbox).to_be_hidden()
    expect(box).to_have_value("Teststr")
    finish_and_send(phone)


def test_the_place_is_described_whenever_the_pin_is_set(phone: Page, server: str):
    phone.goto(server + "/melden")
    expect(phone.locator("#map .leaflet-tile-loaded").first).to_be_attached()
    place = phone.locator("#place")
    expect(place).to_be_hidden()  # no pin, no line
    box = phone.locator("#map").bounding_box()
    assert box
    phone.touchscreen.tap(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(place).to_have_text(re.compile(r"^Ort: .+ \(ungefähr\)$"))
    expect(place).to_have_attribute("role", "status")
    # Typed coordinates count as well.
    open_coordinates(phone)
    phone.get_by_label("Breitengrad").fill("51,1665")
    phone.get_by_label("Längengrad").fill("7,0800")
    phone.keyboard.press("Tab")
    expect(place).to_have_text(PLACE)
