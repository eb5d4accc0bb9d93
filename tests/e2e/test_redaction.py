"""The inbox checks faces and number plates on a phone: the suggested region over the photo and
its checkbox go together, a missed region is added with the keyboard, and the confirmed regions
are what the published photo has blurred."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.conftest import login
from tests.e2e.test_accessibility import DISPATCHER, assert_accessible, file_report
from tests.redaction_set import cases

FACE_PHOTO = next(c for c in cases() if c.name == "face-250px-on-coffee").jpeg()


def test_the_overlay_on_a_phone(phone: Page, server: str):
    case = file_report(phone, server, "Sperrmüll am Gehweg.", FACE_PHOTO)
    login(phone, server, DISPATCHER)
    phone.goto(f"{server}/staff/meldungen/{case}")
    expect(phone.get_by_text("Vorschläge prüfen")).to_be_visible()
    face = phone.get_by_label("Gesicht 1")
    expect(face).to_be_checked()
    box = phone.locator(".redact-boxes rect").first
    expect(box).to_be_visible()
    # The region over the photo and the checkbox go together.
    box.click()
    expect(face).not_to_be_checked()
    expect(box).to_have_class("redact-box off")
    face.check()
    expect(box).to_have_class("redact-box")

    # A region the detector missed, added and placed with the keyboard only.
    phone.get_by_role("button", name="Bereich hinzufügen").click()
    overlay = phone.locator(".redact-boxes")
    expect(overlay).to_be_focused()
    drawn = phone.locator(".redact-boxes rect.drawn")
    x = float(drawn.get_attribute("x") or 0)
    width = float(drawn.get_attribute("width") or 0)
    phone.keyboard.press("ArrowRight")
    phone.keyboard.press("Shift+ArrowRight")
    assert float(drawn.get_attribute("x") or 0) > x
    assert float(drawn.get_attribute("width") or 0) > width
    expect(phone.locator(".redact-status")).to_contain_text("Gezeichneter Bereich 2: links")

    # And one drawn by dragging across the photo's lower left corner.
    area = overlay.bounding_box()
    assert area is not None
    phone.mouse.move(area["x"] + area["width"] * 0.05, area["y"] + area["height"] * 0.7)
    phone.mouse.down()
    phone.mouse.move(area["x"] + area["width"] * 0.2, area["y"] + area["height"] * 0.8, steps=5)
    phone.mouse.up()
    expect(phone.locator(".redact-status")).to_contain_text("Gezeichneter Bereich 3 gezeichnet")
    assert_accessible(phone)

    phone.get_by_role("button", name="Bereiche bestätigen").click()
    expect(phone.get_by_label("Gesicht 1")).to_be_checked()
    expect(phone.get_by_label("Gezeichneter Bereich 2")).to_be_checked()
    expect(phone.get_by_label("Gezeichneter Bereich 3")).to_be_checked()
    expect(phone.get_by_text("geprüft", exact=True)).to_be_visible()
    assert phone.locator(".redact-boxes rect").count() == 3
    assert not phone.errors  # type: ignore[attr-defined]
