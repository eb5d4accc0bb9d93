"""Photos on the report form from a phone: previews with "Foto entfernen", shrunk in the browser
to PHOTO_MAX_SIZE and upright, kept after a refused form, sent with progress (also over an
emulated fast 3G line), and still sent as they are without JavaScript."""

from __future__ import annotations

import io
import os
import re
import time

from PIL import Image
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PHONE, choose_category, new_context, open_coordinates, shot_path
from tests.e2e.test_accessibility import assert_accessible

MAX_SIZE = 2048  # PHOTO_MAX_SIZE of the server under test (the default)
GPS = (51.1705, 7.0845)  # in the demo city
RED, BLUE = (220, 30, 30), (30, 30, 220)


def _dms(value: float) -> tuple[float, float, float]:
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    return (degrees, minutes, round((value - degrees - minutes / 60) * 3600, 4))


def camera_photo(noisy: bool = False, quality: int = 90) -> dict:
    """4000 × 3000 pixels as the sensor stored them: red left, blue right; EXIF orientation 6
    (turn 90° clockwise to show it), so that upright it is portrait, red on top. With GPS."""
    width, height = 4000, 3000
    image = Image.new("RGB", (width, height), RED)
    image.paste(BLUE, (width // 2, 0, width, height))
    if noisy:  # the fine detail of a real photo, for a realistic file size
        noise = Image.frombytes("L", (width, height), os.urandom(width * height))
        image = Image.blend(image, Image.merge("RGB", (noise, noise, noise)), 0.3)
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x8825] = {1: "N", 2: _dms(GPS[0]), 3: "E", 4: _dms(GPS[1])}
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality, exif=exif)
    return {"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": buffer.getvalue()}


def small_photo() -> dict:
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), (90, 120, 160)).save(buffer, "JPEG")
    return {"name": "IMG_0002.jpg", "mimeType": "image/jpeg", "buffer": buffer.getvalue()}


def previews(page: Page):
    return page.locator("#photo-previews li")


def remove_button(page: Page, number: int, of: int):
    return page.get_by_role("button", name=f"Foto entfernen (Foto {number} von {of})")


def fill_in(page: Page, place: bool = True) -> None:
    if place:
        if page.locator("details.coords-toggle").count():  # folded when the script runs
            open_coordinates(page)
        page.get_by_label("Breitengrad").fill("51,1705")
        page.get_by_label("Längengrad").fill("7,0845")
    choose_category(page, "Straßenbeleuchtung defekt")
    page.get_by_label("Beschreibung").fill("Die Laterne am Spielplatz ist dunkel.")


def stored_photos(page: Page) -> list[Image.Image]:
    """The photos of the report just filed, as the server keeps them (via the tracking page)."""
    expect(page.get_by_role("heading", name="Vielen Dank für Ihre Meldung!")).to_be_visible()
    page.locator(".tracking-link a").click()
    expect(page.get_by_role("heading", name=re.compile("Ihre Meldung"))).to_be_visible()
    links = page.locator("a:has(img[alt^='Foto'])")
    photos = []
    for i in range(links.count()):
        response = page.request.get(links.nth(i).evaluate("a => a.href"))
        assert response.ok
        photos.append(Image.open(io.BytesIO(response.body())).convert("RGB"))
    return photos


def is_upright(photo: Image.Image) -> bool:
    top = photo.getpixel((photo.width // 2, photo.height // 8))
    bottom = photo.getpixel((photo.width // 2, photo.height * 7 // 8))
    return photo.height > photo.width and top[0] > top[2] and bottom[2] > bottom[0]


def test_previews_remove_shrink_and_upright(phone: Page, server: str):
    phone.goto(server + "/melden")
    expect(phone.locator("#photos")).to_have_attribute("data-max-size", str(MAX_SIZE))
    phone.get_by_label("Fotos").set_input_files([camera_photo(), small_photo()])
    expect(previews(phone)).to_have_count(2)
    expect(phone.locator("#photo-status")).to_have_text("2 von 5 Fotos ausgewählt.")
    expect(phone.get_by_role("img", name="Foto 1: IMG_0001.jpg")).to_be_visible()
    # The position in the first photo is still offered (map.js sends the photo's header only).
    phone.get_by_role("button", name="Standort aus dem Foto übernehmen").click()
    expect(phone.get_by_label("Breitengrad")).to_have_value(re.compile(r"^51,1705"))
    remove_button(phone, 2, 2).click()
    expect(previews(phone)).to_have_count(1)
    expect(phone.locator("#photo-status")).to_contain_text("Foto 2 entfernt. 1 von 5 Fotos")
    expect(remove_button(phone, 1, 1)).to_be_focused()  # the focus stays among the photos
    assert phone.evaluate("document.getElementById('photos').files.length") == 1
    # Shrunk before sending: the caption shows the new size.
    expect(previews(phone).first.locator(".photo-caption")).to_contain_text("MB")
    sent = phone.evaluate("document.getElementById('photos').files[0].size")
    assert sent < len(camera_photo()["buffer"])
    fill_in(phone, place=False)
    phone.get_by_role("button", name="Meldung absenden").click()
    (photo,) = stored_photos(phone)
    assert max(photo.size) <= MAX_SIZE
    assert is_upright(photo), photo.size


def test_a_refused_form_keeps_the_photos(phone: Page, server: str):
    phone.goto(server + "/melden")
    phone.get_by_label("Fotos").set_input_files([camera_photo(), small_photo()])
    expect(previews(phone)).to_have_count(2)
    fill_in(phone)
    phone.get_by_label("E-Mail (freiwillig").fill("anna@example.org")  # consent not ticked
    phone.get_by_role("button", name="Meldung absenden").click()
    summary = phone.locator(".error-summary")
    expect(summary).to_contain_text("Kontaktdaten")
    expect(summary).to_be_focused()
    expect(phone.locator("#photos-again")).to_have_count(0)  # nothing to choose again
    expect(previews(phone)).to_have_count(2)
    assert phone.evaluate("document.getElementById('photos').files.length") == 2
    # The place and its map stay as they were.
    expect(phone.get_by_label("Breitengrad")).to_have_value("51,1705")
    expect(phone.locator("#map .leaflet-tile-loaded").first).to_be_attached()
    phone.get_by_role("checkbox", name=re.compile("Ich bin einverstanden")).check()
    phone.get_by_role("button", name="Meldung absenden").click()
    photos = stored_photos(phone)
    assert len(photos) == 2
    assert max(photos[0].size) <= MAX_SIZE and is_upright(photos[0])


def test_previews_are_accessible_and_reached_by_keyboard(phone: Page, server: str):
    phone.goto(server + "/melden")
    phone.get_by_label("Fotos").set_input_files([camera_photo(), small_photo()])
    expect(previews(phone)).to_have_count(2)
    expect(previews(phone).nth(0).locator(".photo-caption")).to_contain_text("MB")
    assert_accessible(phone)
    phone.locator("#photos").focus()
    phone.keyboard.press("Tab")
    expect(remove_button(phone, 1, 2)).to_be_focused()
    phone.keyboard.press("Tab")
    expect(remove_button(phone, 2, 2)).to_be_focused()
    phone.keyboard.press("Enter")
    expect(previews(phone)).to_have_count(1)
    expect(remove_button(phone, 1, 1)).to_be_focused()
    phone.keyboard.press("Enter")
    expect(previews(phone)).to_have_count(0)
    expect(phone.locator("#photos")).to_be_focused()
    assert phone.evaluate("document.getElementById('photos').files.length") == 0


def test_a_lost_connection_loses_nothing(phone: Page, server: str):
    phone.goto(server + "/melden")
    phone.get_by_label("Fotos").set_input_files(small_photo())
    fill_in(phone)
    phone.route(re.compile(r".*/melden$"), lambda route: route.abort())
    phone.get_by_role("button", name="Meldung absenden").click()
    expect(phone.get_by_role("alert")).to_contain_text("Keine Verbindung zum Server")
    expect(phone.get_by_role("button", name="Meldung absenden")).to_be_enabled()
    expect(previews(phone)).to_have_count(1)
    expect(phone.get_by_label("Beschreibung")).to_have_value(re.compile("Laterne"))
    phone.unroute(re.compile(r".*/melden$"))
    phone.get_by_role("button", name="Meldung absenden").click()
    assert len(stored_photos(phone)) == 1


def test_an_8_mb_photo_over_fast_3g(browser, server: str, request):
    original = camera_photo(noisy=True, quality=97)
    assert len(original["buffer"]) > 7.5 * 1024 * 1024
    context = new_context(browser, server, **PHONE)
    page = context.new_page()
    try:
        network = context.new_cdp_session(page)
        network.send("Network.enable")
        network.send(
            "Network.emulateNetworkConditions",
            {
                "offline": False,
                "latency": 150,
                "downloadThroughput": 1_600_000 / 8,
                "uploadThroughput": 750_000 / 8,
            },
        )
        page.goto(server + "/melden")
        fill_in(page)
        page.get_by_label("Fotos").set_input_files(original)
        expect(previews(page)).to_have_count(1)
        send = page.get_by_role("button", name="Meldung absenden")
        start = time.monotonic()
        send.click()
        expect(send).to_be_disabled()
        expect(page.get_by_label("Übertragung der Meldung")).to_be_visible()
        expect(page.locator("#send-status")).to_contain_text(re.compile(r"Wird gesendet … \d+ %"))
        heading = page.get_by_role("heading", name="Vielen Dank für Ihre Meldung!")
        expect(heading).to_be_visible(timeout=60_000)
        took = time.monotonic() - start
        print(f"\n8 MB photo over fast 3G: confirmation after {took:.1f} s")
        assert took < 15
    finally:
        page.screenshot(path=str(shot_path(request.node.name)), full_page=True)
        context.close()


def test_without_javascript_a_photo_is_sent_as_it_is(browser, server: str, request):
    context = new_context(browser, server, java_script_enabled=False, **PHONE)
    page = context.new_page()
    try:
        page.goto(server + "/melden")
        expect(page.locator("#photo-previews")).to_be_hidden()
        fill_in(page)
        page.get_by_label("Fotos").set_input_files(camera_photo())
        page.get_by_role("button", name="Meldung absenden").click()
        (photo,) = stored_photos(page)
        assert max(photo.size) == MAX_SIZE  # the server shrank it
        assert is_upright(photo)
    finally:
        page.screenshot(path=str(shot_path(request.node.name)), full_page=True)
        context.close()
