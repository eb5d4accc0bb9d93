"""A visitor filters the city map by category, opens clusters until single reports show, and
reaches a report's page from a marker's card — by touch, and by keyboard alone."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

MAP_ANSWER = re.compile(r"/api/v1/map\?")


def wait_for_map(page: Page) -> None:
    """Until the map stands still and shows the answer for its view (says the map's aria-busy)."""
    expect(page.locator("#map")).to_have_attribute("aria-busy", "false")
    expect(page.locator("#map .leaflet-marker-icon").first).to_be_visible()


def centre_most(markers: Locator) -> Locator:
    """The marker nearest the map's centre: one at the edge may hang outside the map, or under
    its controls, and its card can be pushed out of view by the next pan."""
    index = markers.evaluate_all(
        """(icons) => {
            const m = document.querySelector("#map").getBoundingClientRect();
            const away = (r) => Math.hypot(r.x + r.width / 2 - m.x - m.width / 2,
                                           r.y + r.height / 2 - m.y - m.height / 2);
            const d = icons.map((i) => away(i.getBoundingClientRect()));
            return d.indexOf(Math.min(...d));
        }"""
    )
    return markers.nth(index)


def show_illegal_dumps(phone: Page, server: str) -> None:
    """The start page's map, filtered to one category of all reports (not only the current
    ones, the default): enough of them for clusters. The filters fold behind "Filter"."""
    phone.goto(server + "/")
    wait_for_map(phone)
    phone.locator("#filter-toggle > summary").tap()
    with phone.expect_response(re.compile(r"/api/v1/map\?.*status=all")):
        phone.get_by_label("Status").select_option("all")
    wait_for_map(phone)
    with phone.expect_response(re.compile(r"/api/v1/map\?.*category=muell")):
        phone.get_by_label("Kategorie").select_option(label="Wilde Müllkippe")
    wait_for_map(phone)


def test_filter_the_map_open_a_cluster_and_reach_a_report(phone: Page, server: str):
    show_illegal_dumps(phone, server)
    markers = phone.locator("#map .report-dot")
    for _ in range(8):  # each tap on a cluster zooms in two levels
        if markers.count():
            break
        with phone.expect_response(MAP_ANSWER):  # a zoom starts a frame later: wait for its load
            centre_most(phone.locator("#map .cluster")).tap()
        wait_for_map(phone)
    assert markers.count(), "no single report after eight zoom steps"
    centre_most(markers).dispatch_event("click")  # may pan the map to fit the card in, and reload
    card = phone.locator(".leaflet-popup-content")
    expect(card).to_contain_text("Wilde Müllkippe")
    expect(phone.locator("#map")).to_have_attribute("aria-busy", "false")
    with phone.expect_response(MAP_ANSWER):
        phone.locator("#map").press("ArrowUp")  # a small pan reloads the reports once more
    expect(phone.locator("#map")).to_have_attribute("aria-busy", "false")
    expect(card).to_contain_text("Wilde Müllkippe")  # the open card outlives the reloads
    card.get_by_role("link").tap()
    expect(phone).to_have_url(re.compile(r"/meldungen/\d{4}-\d{6,}$"))
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Wilde Müllkippe")


def test_the_keyboard_alone_reaches_a_report_through_the_map(phone: Page, server: str):
    show_illegal_dumps(phone, server)
    phone.locator("#map").focus()
    focused = phone.locator(":focus")
    for _ in range(12):  # Tab to the first marker; Enter on a cluster zooms in, focus on the map
        phone.keyboard.press("Tab")
        if phone.locator("#map .report-dot:focus").count():
            break
        if phone.locator("#map .cluster:focus").count():
            with phone.expect_response(MAP_ANSWER):
                phone.keyboard.press("Enter")
            wait_for_map(phone)
            expect(phone.locator("#map")).to_be_focused()
    dot = phone.locator("#map .report-dot:focus")
    expect(dot).to_have_attribute("role", "button")
    expect(dot).to_have_attribute("title", re.compile(r"^Meldung \d{4}-\d{6,}: Wilde Müllkippe, "))
    phone.keyboard.press("Enter")
    card = phone.locator(".leaflet-popup-content")
    expect(card.get_by_role("link")).to_be_focused()  # the card takes the focus
    phone.keyboard.press("Escape")
    expect(card).to_have_count(0)
    expect(dot).to_have_count(1)  # and gives it back to its marker on closing
    with phone.expect_response(MAP_ANSWER):  # the phone turns a little: the map reloads ...
        phone.set_viewport_size({"width": 390, "height": 700})
    wait_for_map(phone)
    expect(dot).to_have_count(1)  # ... and the focused marker stays, with the focus
    phone.keyboard.press("Enter")
    expect(focused).to_have_text(re.compile(r"^Meldung \d{4}-\d{6,} ansehen$"))
    phone.keyboard.press("Enter")
    expect(phone).to_have_url(re.compile(r"/meldungen/\d{4}-\d{6,}$"))
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Wilde Müllkippe")
