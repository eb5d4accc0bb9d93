"""A visitor filters the city map by category, opens clusters until single reports show, and
reaches a report's page from a marker's card."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect


def wait_for_map(page: Page) -> None:
    """Until the map stands still and shows the answer for its view (says the map's aria-busy)."""
    expect(page.locator("#map")).to_have_attribute("aria-busy", "false")
    expect(
        page.locator("#map .leaflet-marker-icon, #map path.leaflet-interactive").first
    ).to_be_visible()


def test_filter_the_map_open_a_cluster_and_reach_a_report(phone: Page, server: str):
    phone.goto(server + "/")
    wait_for_map(phone)
    with phone.expect_response(re.compile(r"/api/v1/map\?.*category=muell")):
        phone.get_by_label("Kategorie").select_option(label="Wilde Müllkippe")
    wait_for_map(phone)
    markers = phone.locator("#map path.leaflet-interactive")
    for _ in range(8):  # each tap on a cluster zooms in two levels
        if markers.count():
            break
        phone.locator("#map .cluster").first.tap()
        wait_for_map(phone)
    assert markers.count(), "no single report after eight zoom steps"
    markers.first.dispatch_event("click")  # may pan the map to fit the card in, and reload
    card = phone.locator(".leaflet-popup-content")
    expect(card).to_contain_text("Wilde Müllkippe")
    expect(phone.locator("#map")).to_have_attribute("aria-busy", "false")
    with phone.expect_response(re.compile(r"/api/v1/map\?")):
        phone.locator("#map").press("ArrowUp")  # a small pan reloads the reports once more
    expect(phone.locator("#map")).to_have_attribute("aria-busy", "false")
    expect(card).to_contain_text("Wilde Müllkippe")  # the open card outlives the reloads
    card.get_by_role("link").tap()
    expect(phone).to_have_url(re.compile(r"/meldungen/\d{4}-\d{6,}$"))
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Wilde Müllkippe")
