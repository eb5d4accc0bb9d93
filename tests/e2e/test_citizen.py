"""A citizen reports a defect from her phone — by tapping the map, by her position, or with the
keyboard alone — and follows it through the private tracking link."""

from __future__ import annotations

import io
import re

from PIL import Image
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PHONE, choose_category, new_context, shot_path


def photo() -> dict:
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), (90, 120, 160)).save(buffer, "JPEG")
    return {"name": "laterne.jpg", "mimeType": "image/jpeg", "buffer": buffer.getvalue()}


def fill_and_send(page: Page, description: str) -> str:
    choose_category(page, "Straßenbeleuchtung defekt")
    page.get_by_label("Beschreibung").fill(description)
    page.get_by_label("Fotos").set_input_files(photo())
    page.get_by_role("button", name="Meldung absenden").click()
    expect(page.get_by_role("heading", name="Vielen Dank für Ihre Meldung!")).to_be_visible()
    return page.locator(".case-number").inner_text()


def test_tap_the_map_send_and_follow_the_tracking_link(phone: Page, server: str):
    phone.goto(server + "/")
    phone.get_by_role("link", name="Mangel melden").first.tap()
    expect(phone.locator("#map .leaflet-tile-loaded").first).to_be_attached()
    box = phone.locator("#map").bounding_box()
    phone.touchscreen.tap(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(phone.locator("#location-status")).to_contain_text("Ort gesetzt")
    assert phone.locator("#lat").input_value() != ""
    case = fill_and_send(phone, "Die Laterne vor dem Haus ist seit Tagen dunkel.")
    assert re.fullmatch(r"\d{4}-\d{6,}", case)
    phone.locator(".tracking-link a").tap()
    expect(phone.get_by_role("heading", name=f"Ihre Meldung {case}")).to_be_visible()
    expect(phone.locator(".timeline")).to_contain_text("Eingegangen")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["viewport"]["width"]  # nothing wider than the phone


def test_my_position_fills_in_the_place(browser, server: str, request):
    context = new_context(
        browser,
        server,
        geolocation={"latitude": 51.1705, "longitude": 7.0845},
        permissions=["geolocation"],
        **PHONE,
    )
    page = context.new_page()
    try:
        page.goto(server + "/melden")
        page.get_by_role("button", name="Meinen Standort verwenden").tap()
        expect(page.locator("#location-status")).to_contain_text("Ort gesetzt")
        assert page.locator("#lat").input_value().startswith("51,170")
        assert page.locator("#lon").input_value().startswith("7,084")
        case = fill_and_send(page, "Laterne flackert an der Bushaltestelle.")
        expect(page.get_by_text("Zuständig: TBS – Straßenbeleuchtung")).to_be_visible()
        assert case
    finally:
        page.screenshot(path=str(shot_path(request.node.name)), full_page=True)
        context.close()


def test_a_tap_outside_the_city_is_refused(phone: Page, server: str):
    phone.goto(server + "/melden")
    expect(phone.locator("#map .leaflet-tile-loaded").first).to_be_attached()
    # The address search above the map pushes its lower edge below a phone's screen.
    phone.locator("#map").scroll_into_view_if_needed()
    box = phone.locator("#map").bounding_box()
    # The lower left corner of the city's bounding box (the zoom buttons sit top left).
    phone.touchscreen.tap(box["x"] + 6, box["y"] + box["height"] - 6)
    choose_category(phone, "Straßenbeleuchtung defekt")
    phone.get_by_label("Beschreibung").fill("Laterne dunkel")
    phone.get_by_role("button", name="Meldung absenden").click()
    expect(phone.locator(".error-summary")).to_contain_text("außerhalb des Stadtgebiets")
    expect(phone.get_by_role("heading", name="Vielen Dank für Ihre Meldung!")).to_have_count(0)


def test_the_keyboard_alone_files_a_report_without_the_map(phone: Page, server: str):
    phone.goto(server + "/melden")
    # The skip link comes before the map and leads straight to the coordinate fields.
    skip = phone.get_by_role("link", name="Karte überspringen und Koordinaten eingeben")
    skip.focus()
    phone.keyboard.press("Enter")
    phone.keyboard.press("Tab")
    assert phone.evaluate("document.activeElement.id") in ("lat", "lon")
    phone.locator("#lat").focus()
    phone.keyboard.type("51,1705")
    phone.keyboard.press("Tab")
    assert phone.evaluate("document.activeElement.id") == "lon"
    phone.keyboard.type("7,0845")
    phone.keyboard.press("Tab")
    assert phone.evaluate("document.activeElement.id") == "category"
    phone.keyboard.press("Space")  # the first tile: "Ampel defekt"
    phone.keyboard.press("Tab")  # to its extra question, the only one shown
    phone.keyboard.type("2")
    phone.keyboard.press("Tab")
    assert phone.evaluate("document.activeElement.id") == "description"
    phone.keyboard.type("Beide Ampeln an der Kreuzung sind dunkel.")
    phone.locator("#description").press("Tab")
    phone.get_by_role("button", name="Meldung absenden").focus()
    phone.keyboard.press("Enter")
    expect(phone.get_by_role("heading", name="Vielen Dank für Ihre Meldung!")).to_be_visible()


def test_coordinates_fold_away_and_back_keeps_the_place(phone: Page, server: str):
    phone.goto(server + "/melden")
    expect(phone.locator("#map .leaflet-tile-loaded").first).to_be_attached()
    # With the map working, the coordinate fields wait behind "Koordinaten eingeben".
    expect(phone.locator("#lat")).to_be_hidden()
    phone.locator("summary", has_text="Koordinaten eingeben").tap()
    expect(phone.locator("#lat")).to_be_visible()
    box = phone.locator("#map").bounding_box()
    phone.touchscreen.tap(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(phone.locator("#location-status")).to_contain_text("Ort gesetzt")
    place = phone.locator("#lat").input_value(), phone.locator("#lon").input_value()
    fill_and_send(phone, "Die Laterne an der Ecke ist dunkel.")
    phone.go_back()
    expect(phone.locator("#map")).to_be_visible()
    assert (phone.locator("#lat").input_value(), phone.locator("#lon").input_value()) == place


def test_a_category_s_notice_appears_when_it_is_chosen(phone: Page, server: str):
    phone.goto(server + "/melden")
    expect(phone.locator("details.category-notices")).to_be_hidden()  # the script shows them
    choose_category(phone, "Ampel defekt")
    guide = phone.locator("#category-guide")
    # The help line stands on the tile itself, the notice under the tiles.
    tile = phone.locator(".tile", has=phone.get_by_role("radio", name="Ampel defekt", exact=True))
    expect(tile.locator(".tile-help")).to_contain_text("Ampel dunkel")
    expect(guide.locator(".notice-emergency")).to_contain_text("110")
