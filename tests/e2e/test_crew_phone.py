"""A crew member on a phone (390 × 844): a note without a status change, nothing lost when a
save is refused (with and without JavaScript), the after photo as "nachher" beside "vorher",
"Nächste zuerst" following the device (Playwright's geolocation), and a job sent back to the
Leitstelle."""

from __future__ import annotations

import io
import re

from PIL import Image
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.conftest import (
    PHONE,
    choose_category,
    login,
    new_context,
    open_coordinates,
    shot_path,
)
from tests.e2e.test_accessibility import assert_accessible

CREW, DISPATCHER = "licht@example.org", "poststelle@example.org"
MITTE = {"latitude": 51.1705, "longitude": 7.0845}


def jpeg(colour: tuple[int, int, int], name: str) -> dict:
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), colour).save(buffer, "JPEG")
    return {"name": name, "mimeType": "image/jpeg", "buffer": buffer.getvalue()}


def file_report(page: Page, server: str, text: str, photo: dict | None = None) -> str:
    """A street light report in Mitte through the citizen's form; its case number."""
    page.goto(server + "/melden")
    open_coordinates(page)
    page.get_by_label("Breitengrad").fill("51,1709")
    page.get_by_label("Längengrad").fill("7,0851")
    choose_category(page, "Straßenbeleuchtung defekt")
    page.get_by_label("Beschreibung").fill(text)
    if photo:
        page.get_by_label("Fotos").set_input_files(photo)
    page.get_by_role("button", name="Meldung absenden").click()
    return page.locator(".case-number").inner_text()


def desk(browser, server: str) -> tuple[BrowserContext, Page]:
    """A dispatcher at a desk, logged in."""
    context = new_context(browser, server, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    login(page, server, DISPATCHER)
    return context, page


def raise_priority(page: Page, server: str, case: str, label: str) -> None:
    """Someone else changes the report meanwhile: the crew's page is outdated."""
    page.goto(f"{server}/staff/meldungen/{case}")
    page.get_by_label("Priorität", exact=True).select_option(label=label)
    page.locator("form.triage").get_by_role("button", name="Speichern", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Gespeichert")


def save(page: Page) -> None:
    page.get_by_role("button", name="Speichern", exact=True).tap()


def test_a_note_without_a_status_change_and_nothing_lost_on_a_refusal(browser, server, phone):
    office, dispatcher = desk(browser, server)
    case = file_report(dispatcher, server, "Laterne am Kiosk flackert.")

    login(phone, server, CREW)
    phone.goto(f"{server}/staff/meldungen/{case}")
    phone.get_by_label("Notiz (freiwillig)").fill("Material bestellt.")
    save(phone)
    expect(phone.get_by_role("status")).to_contain_text("Gespeichert")
    expect(phone.locator(".facts .status")).to_have_text("Eingegangen")
    expect(phone.locator(".timeline")).to_contain_text("Material bestellt.")
    expect(phone.get_by_label("Notiz (freiwillig)")).to_have_value("")

    # Typed, chosen, attached — and meanwhile the dispatcher changed the report.
    phone.get_by_label("Notiz (freiwillig)").fill("Mast muss getauscht werden.")
    phone.get_by_label("Nur Beschäftigte").check()
    phone.get_by_label("Foto danach (freiwillig)").set_input_files(jpeg((200, 40, 40), "mast.jpg"))
    expect(phone.locator("#photo-state")).to_contain_text("wird mit dem Speichern gesendet")
    raise_priority(dispatcher, server, case, "hoch")
    save(phone)
    expect(phone.get_by_role("alert")).to_contain_text("inzwischen geändert")
    expect(phone.get_by_label("Notiz (freiwillig)")).to_have_value("Mast muss getauscht werden.")
    expect(phone.get_by_label("Nur Beschäftigte")).to_be_checked()
    expect(phone.locator(".facts")).to_contain_text("hoch")  # the page shows the new state
    expect(phone.locator("#photo-state")).to_contain_text("„mast.jpg“ ist noch angehängt")
    assert phone.locator("#photo").evaluate("i => [i.files.length, i.files[0].name]") == [
        1,
        "mast.jpg",
    ]
    expect(phone.locator("#crew-map .leaflet-tile-loaded").first).to_be_attached()
    save(phone)
    expect(phone.get_by_role("status")).to_contain_text("Gespeichert")
    expect(phone.locator(".timeline")).to_contain_text("Mast muss getauscht werden.")
    expect(phone.locator(".photos")).to_contain_text("verborgen – nur für Beschäftigte")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    # Without JavaScript the note comes back and the page asks for the photo again.
    plain = new_context(browser, server, **PHONE, java_script_enabled=False)
    no_js = plain.new_page()
    login(no_js, server, CREW)
    no_js.goto(f"{server}/staff/meldungen/{case}")
    no_js.get_by_label("Notiz (freiwillig)").fill("Kabel prüfen.")
    no_js.get_by_label("Foto danach (freiwillig)").set_input_files(jpeg((40, 40, 200), "kabel.jpg"))
    raise_priority(dispatcher, server, case, "dringend")
    save(no_js)
    expect(no_js.get_by_role("alert")).to_contain_text("inzwischen geändert")
    expect(no_js.get_by_label("Notiz (freiwillig)")).to_have_value("Kabel prüfen.")
    expect(no_js.locator("#photo-again")).to_have_text(
        "Das Foto „kabel.jpg“ wurde nicht gespeichert. Bitte wählen Sie es erneut aus."
    )
    plain.close()
    office.close()


def test_the_after_photo_is_shown_as_nachher_beside_vorher(browser, server, phone):
    office, dispatcher = desk(browser, server)
    case = file_report(dispatcher, server, "Laterne umgefahren.", jpeg((40, 90, 200), "vorher.jpg"))
    tracking = dispatcher.locator(".tracking-link a").get_attribute("href")
    dispatcher.goto(f"{server}/staff/meldungen/{case}")
    dispatcher.get_by_label("Geprüft – Text und Fotos veröffentlichen").check()
    dispatcher.locator("form.triage").get_by_role("button", name="Speichern", exact=True).click()
    expect(dispatcher.get_by_role("status")).to_contain_text("Gespeichert")
    office.close()

    login(phone, server, CREW)
    phone.goto(f"{server}/staff/meldungen/{case}")
    phone.get_by_label("Neuer Status").select_option(label="Erledigt")
    phone.get_by_label("Notiz (freiwillig)").fill("Neuer Mast steht.")
    phone.get_by_label("Foto danach (freiwillig)").set_input_files(jpeg((40, 160, 60), "neu.jpg"))
    save(phone)
    expect(phone.get_by_role("status")).to_contain_text("Gespeichert")

    for url in (f"{server}/meldungen/{case}", tracking):
        phone.goto(url)
        expect(phone.get_by_role("heading", name="Vorher – nachher")).to_be_visible()
        before = phone.get_by_role("img", name="Vorher: Foto der Meldung")
        after = phone.get_by_role("img", name="Nachher: Foto der Stadt nach der Bearbeitung")
        expect(before).to_be_visible()
        expect(after).to_be_visible()
        for image in (before, after):
            assert image.evaluate("i => i.complete && i.naturalWidth > 0")
        left, right = before.bounding_box(), after.bounding_box()
        assert left and right
        assert abs(left["y"] - right["y"]) < 1 and left["x"] + left["width"] <= right["x"]
        assert right["x"] + right["width"] <= 390
        expect(phone.locator(".before-after figcaption").first).to_contain_text("vorher")
        expect(phone.locator(".before-after figcaption").nth(1)).to_contain_text("nachher")
        # The photo with its timeline entry.
        entry = phone.locator(".timeline li", has_text="Foto hinzugefügt")
        expect(entry.get_by_role("img", name="Foto nachher")).to_be_visible()
    assert_accessible(phone)


def metres(text: str) -> float:
    if text == "unter 10 m":
        return 0
    number, unit = text.replace(",", ".").split()
    return float(number) * (1000 if unit == "km" else 1)


def listed(page: Page) -> list[dict]:
    return page.locator(".queue-rows li").evaluate_all(
        """rows => rows.map(r => ({
            case: r.querySelector("strong").textContent,
            lat: Number(r.dataset.lat), lon: Number(r.dataset.lon),
            distance: r.querySelector("[data-distance]").textContent.trim()}))"""
    )


def test_nearest_first_follows_the_device_and_is_remembered(browser, server):
    office, dispatcher = desk(browser, server)
    # Two jobs about 3.7 km apart, in Mitte and in Gräfrath; the device stands at one, then at
    # the other (no demo report shares their exact places).
    near = _file_at(dispatcher, server, "51,1721", "7,0871", "Laterne am Markt dunkel.")
    far = _file_at(dispatcher, server, "51,2035", "7,0818", "Laterne in Gräfrath dunkel.")
    office.close()
    at_near = {"latitude": 51.1721, "longitude": 7.0871}
    context = new_context(
        browser, server, **PHONE, geolocation=at_near, permissions=["geolocation"]
    )
    page = context.new_page()
    login(page, server, CREW)
    page.locator("details.queue-filters > summary").tap()
    page.get_by_label("Sortierung").select_option(label="Nächste zuerst")
    page.locator("#queue-sort button[type=submit]").tap()
    expect(page).to_have_url(re.compile(r"sortierung=naehe&lat=51\.172100&lon=7\.087100"))
    rows = listed(page)
    assert (rows[0]["case"], rows[0]["distance"]) == (near, "unter 10 m")
    distances = [metres(r["distance"]) for r in rows]
    assert len(rows) > 2 and all(r["distance"] for r in rows)
    assert distances == sorted(distances)
    assert next(r for r in rows if r["case"] == far)["distance"] == "3,5 km"

    # The crew drives to Gräfrath with the queue open: the list follows the device.
    context.set_geolocation({"latitude": 51.2035, "longitude": 7.0818})
    expect(page).to_have_url(re.compile(r"lat=51\.203500&lon=7\.081800"), timeout=20_000)
    rows = listed(page)
    assert (rows[0]["case"], rows[0]["distance"]) == (far, "unter 10 m")
    assert next(r for r in rows if r["case"] == near)["distance"] == "3,5 km"

    # Into a job and back through the navigation: still nearest first, from where it is now.
    page.get_by_role("link", name=re.compile(far)).tap()
    expect(page.get_by_role("link", name="Navigation starten")).to_have_attribute(
        "href", "geo:51.203500,7.081800"
    )
    context.set_geolocation(at_near)
    page.get_by_role("link", name="Warteschlange").tap()
    expect(page).to_have_url(re.compile(r"sortierung=naehe&lat=51\.172100&lon=7\.087100"))
    assert listed(page)[0]["case"] == near
    page.screenshot(path=str(shot_path("crew_queue_nearest")), full_page=True)
    context.close()


def _file_at(page: Page, server: str, lat: str, lon: str, text: str) -> str:
    page.goto(server + "/melden")
    open_coordinates(page)
    page.get_by_label("Breitengrad").fill(lat)
    page.get_by_label("Längengrad").fill(lon)
    choose_category(page, "Straßenbeleuchtung defekt")
    page.get_by_label("Beschreibung").fill(text)
    page.get_by_role("button", name="Meldung absenden").click()
    return page.locator(".case-number").inner_text()


def test_the_crew_shows_its_position_on_the_job_map(browser, server):
    office, dispatcher = desk(browser, server)
    case = file_report(dispatcher, server, "Laterne an der Haltestelle.")
    office.close()
    context = new_context(browser, server, **PHONE, geolocation=MITTE, permissions=["geolocation"])
    page = context.new_page()
    login(page, server, CREW)
    page.goto(f"{server}/staff/meldungen/{case}")
    expect(page.locator("#crew-map .leaflet-marker-icon")).to_have_count(1)
    drawn = page.locator("#crew-map .leaflet-overlay-pane path")
    expect(drawn).to_have_count(0)
    page.get_by_role("button", name="Meinen Standort zeigen").tap()
    expect(page.locator("#show-me-status")).to_contain_text(re.compile(r"Ihr Standort: \d+ m"))
    expect(drawn).to_have_count(2)  # the position and its accuracy
    route = page.get_by_role("link", name=re.compile("Route in OpenStreetMap"))
    expect(route).to_have_attribute(
        "href", re.compile(r"route=51\.170500%2C7\.084500%3B51\.170900%2C7\.085100")
    )
    assert_accessible(page)
    context.close()


def test_back_to_the_leitstelle(browser, server, phone):
    office, dispatcher = desk(browser, server)
    case = file_report(dispatcher, server, "Ampel an der Kreuzung blinkt nur noch gelb.")

    login(phone, server, CREW)
    expect(phone.get_by_role("link", name=re.compile(case))).to_be_visible()
    phone.goto(f"{server}/staff/meldungen/{case}")
    phone.get_by_text("Zurück an die Leitstelle", exact=True).tap()
    give_back = phone.get_by_role("button", name="An die Leitstelle zurückgeben")
    give_back.tap()  # without a reason the browser asks for one
    assert phone.get_by_label("Grund (Pflichtfeld, nur intern)").evaluate("t => !t.validity.valid")
    expect(phone).to_have_url(f"{server}/staff/meldungen/{case}")
    phone.get_by_label("Grund (Pflichtfeld, nur intern)").fill("Ampel, keine Straßenlaterne.")
    give_back.tap()
    expect(phone).to_have_url(f"{server}/staff/warteschlange")
    expect(phone.get_by_role("status")).to_contain_text(
        f"Meldung {case} ist zurück bei der Leitstelle"
    )
    expect(phone.get_by_role("link", name=re.compile(case))).to_have_count(0)

    dispatcher.goto(server + "/staff/eingang")
    section = dispatcher.locator(".returned-jobs")
    expect(section).to_contain_text(case)
    expect(section).to_contain_text("Ampel, keine Straßenlaterne.")
    expect(section).to_contain_text("zurück von TBS – Straßenbeleuchtung")
    assert_accessible(dispatcher)
    section.get_by_role("link", name=re.compile(case)).click()
    expect(dispatcher.locator(".returned-notice")).to_contain_text("Ampel, keine Straßenlaterne.")
    expect(dispatcher.locator(".timeline")).to_contain_text(
        "Zurück an die Leitstelle: Ampel, keine Straßenlaterne."
    )
    dispatcher.get_by_label("Abteilung", exact=True).select_option(label="TBS – Verkehrstechnik")
    dispatcher.locator("form.triage").get_by_role("button", name="Speichern", exact=True).click()
    expect(dispatcher.get_by_role("status")).to_contain_text("Gespeichert")
    expect(dispatcher.locator(".returned-notice")).to_have_count(0)
    dispatcher.goto(server + "/staff/eingang")
    expect(dispatcher.locator(".returned-jobs")).to_have_count(0)
    office.close()
