"""The issue's "done when": a citizen files a report in the wrong category; the central inbox
publishes it and corrects the category, which moves it to street lighting; a crew member on a
phone sets it "In Bearbeitung" with a public note, then "Erledigt" with an after photo — and the
public page and the tracking link show every step."""

from __future__ import annotations

import io

from PIL import Image
from playwright.sync_api import Page, expect

from tests.e2e.conftest import choose_category, login, new_context, open_coordinates, shot_path


def jpeg(colour: tuple[int, int, int]) -> dict:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), colour).save(buffer, "JPEG")
    return {"name": "foto.jpg", "mimeType": "image/jpeg", "buffer": buffer.getvalue()}


def file_report(page: Page, server: str) -> tuple[str, str]:
    page.goto(server + "/melden")
    open_coordinates(page)
    page.get_by_label("Breitengrad").fill("51,1712")
    page.get_by_label("Längengrad").fill("7,0851")
    choose_category(page, "Ampel defekt")
    page.get_by_label("Beschreibung").fill("Die Straßenlaterne am Spielplatz ist aus.")
    page.get_by_role("button", name="Meldung absenden").click()
    case = page.locator(".case-number").inner_text()
    return case, page.locator(".tracking-link a").get_attribute("href")


def save(page: Page, status: str, note: str | None = None, photo: dict | None = None) -> None:
    page.get_by_label("Neuer Status").select_option(label=status)
    if note:
        page.get_by_label("Notiz (freiwillig)").fill(note)
        page.get_by_label("Öffentlich (auch die meldende Person)").check()
    if photo:
        page.get_by_label("Foto danach (freiwillig)").set_input_files(photo)
    page.get_by_role("button", name="Speichern", exact=True).tap()
    expect(page.get_by_role("status")).to_contain_text("Gespeichert")


def test_inbox_then_crew_on_a_phone_and_the_public_sees_every_step(
    browser, server: str, phone: Page
):
    desk = new_context(browser, server, viewport={"width": 1280, "height": 900})
    inbox = desk.new_page()
    case, tracking = file_report(inbox, server)

    login(inbox, server, "poststelle@example.org")
    inbox.goto(server + "/staff/eingang")
    inbox.get_by_role("link", name=case).click()
    # One save: checked and published, and the category corrected (which re-routes it).
    inbox.get_by_label("Geprüft – Text und Fotos veröffentlichen").check()
    inbox.get_by_label("Kategorie", exact=True).select_option(label="Straßenbeleuchtung defekt")
    inbox.get_by_role("button", name="Speichern", exact=True).click()
    expect(inbox.locator(".facts")).to_contain_text("TBS – Straßenbeleuchtung")
    inbox.screenshot(path=str(shot_path("inbox_report")), full_page=True)
    desk.close()

    login(phone, server, "licht@example.org")
    expect(phone).to_have_url(f"{server}/staff/warteschlange")
    phone.get_by_role("link", name=case).tap()
    save(phone, "In Bearbeitung", "Ein Techniker ist unterwegs.")
    save(phone, "Erledigt", "Leuchtmittel getauscht.", jpeg((40, 160, 60)))
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    for url in (f"{server}/meldungen/{case}", tracking):
        phone.goto(url)
        timeline = phone.locator(".timeline")
        for text in (
            "Eingegangen",
            "Weitergeleitet",
            "In Bearbeitung",
            "Ein Techniker ist unterwegs.",
            "Erledigt",
            "Leuchtmittel getauscht.",
        ):
            expect(timeline).to_contain_text(text)
        # The report came without a photo: the crew's photo stands alone as "nachher".
        expect(phone.get_by_role("heading", name="Foto nach der Bearbeitung")).to_be_visible()
        expect(phone.get_by_role("img", name="Nachher: Foto der Stadt")).to_be_visible()
