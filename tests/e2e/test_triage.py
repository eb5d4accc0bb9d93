"""The dispatcher's day in the browser: a new report triaged in one save with a Textbaustein,
then straight on to the next one; the form's groups side by side on a desk, stacked on a phone."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.conftest import login, new_context
from tests.e2e.test_accessibility import ADMIN, DISPATCHER, assert_accessible, file_report


def _add_template(page: Page, server: str) -> None:
    login(page, server, ADMIN)
    page.goto(server + "/admin/textbausteine")
    page.get_by_label("Titel (z. B. „Laterne repariert“)").fill("Angenommen (Licht)")
    page.get_by_label("Text", exact=True).fill("Danke! Meldung {vorgangsnummer} ist angenommen.")
    page.get_by_label("Passt zum Status").select_option(label="In Prüfung")
    page.get_by_role("button", name="Textbaustein anlegen").click()
    expect(page.get_by_text("Textbaustein angelegt.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Abmelden").click()


def test_one_save_with_a_template_then_the_next_report(browser, server: str):
    desk = new_context(browser, server, viewport={"width": 1280, "height": 900})
    page = desk.new_page()
    try:
        first = file_report(page, server, "Laterne am Brunnen ist aus.")
        second = file_report(page, server, "Noch eine dunkle Laterne.")
        _add_template(page, server)
        login(page, server, DISPATCHER)
        page.goto(f"{server}/staff/meldungen/{first}")
        groups = page.locator(".triage-grid > fieldset").all()
        boxes = [g.bounding_box() for g in groups]
        assert len(boxes) == 3 and all(b is not None for b in boxes)
        assert boxes[0]["y"] == boxes[1]["y"] == boxes[2]["y"]  # side by side on a desk
        page.get_by_label("Geprüft – Text und Fotos veröffentlichen").check()
        page.get_by_label("Priorität").select_option(label="hoch")
        page.get_by_label("Status", exact=True).select_option(label="In Prüfung")
        page.get_by_label("Textbaustein einfügen").select_option(label="Angenommen (Licht)")
        page.get_by_role("button", name="Einfügen", exact=True).click()
        expect(page.get_by_label("Notiz (freiwillig)")).to_have_value(
            f"Danke! Meldung {first} ist angenommen."
        )
        assert_accessible(page)
        page.get_by_role("button", name="Speichern und nächste").click()
        expect(page).to_have_url(f"{server}/staff/meldungen/{second}")
        page.goto(f"{server}/meldungen/{first}")
        timeline = page.locator(".timeline")
        expect(timeline).to_contain_text("In Prüfung")
        expect(timeline).to_contain_text(f"Danke! Meldung {first} ist angenommen.")
    finally:
        desk.close()


def test_the_triage_form_stacks_on_a_phone(phone: Page, server: str):
    case = file_report(phone, server, "Laterne flackert am Markt.")
    login(phone, server, DISPATCHER)
    phone.goto(f"{server}/staff/meldungen/{case}")
    boxes = [g.bounding_box() for g in phone.locator(".triage-grid > fieldset").all()]
    assert all(b is not None for b in boxes)
    assert boxes[0]["x"] == boxes[1]["x"] == boxes[2]["x"]
    assert boxes[0]["y"] < boxes[1]["y"] < boxes[2]["y"]
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # A refused save keeps the typed note.
    phone.get_by_label("Notiz (freiwillig)").fill("Nicht verlieren!")
    phone.get_by_label("Priorität").select_option(label="hoch")
    phone.evaluate(
        "document.getElementById('triage-status').add(new Option('x', 'kaputt', true, true))"
    )
    phone.get_by_role("button", name="Speichern", exact=True).click()
    expect(phone.get_by_text("Unbekannter Status.")).to_be_visible()
    expect(phone.get_by_label("Notiz (freiwillig)")).to_have_value("Nicht verlieren!")
    expect(phone.get_by_label("Priorität")).to_have_value("1")


def test_a_duplicate_is_confirmed_side_by_side_and_taken_back(phone: Page, server: str):
    original = file_report(phone, server, "Laterne an der Ecke dunkel.")
    copy = file_report(phone, server, "Ecklaterne aus, schon gemeldet?")
    login(phone, server, DISPATCHER)
    phone.goto(f"{server}/staff/meldungen/{copy}")
    candidate = phone.locator(".candidates li", has_text=original)
    expect(candidate).to_contain_text("m entfernt")
    expect(candidate).to_contain_text("Laterne an der Ecke dunkel.")
    candidate.get_by_role("link", name=f"Duplikat von {original} …").click()
    expect(phone.get_by_role("heading", level=1)).to_contain_text("als Duplikat von")
    expect(phone.locator(".compare")).to_contain_text("Ecklaterne aus")
    assert_accessible(phone)
    phone.get_by_role("button", name="Ja, als Duplikat schließen").click()
    expect(phone.locator(".facts")).to_contain_text("Duplikat")
    phone.get_by_role("button", name="Duplikat aufheben").click()
    expect(phone.get_by_role("status")).to_contain_text("Gespeichert")
    expect(phone.locator(".facts")).to_contain_text("Eingegangen")
