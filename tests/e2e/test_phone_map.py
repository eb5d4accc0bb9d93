"""The public map, list and statistics on a phone (390 × 844): the map in the first screen,
the filters behind a "Filter" disclosure, "In meiner Nähe", cards in the list, the header's
case-number search, and figures as cards without sideways scrolling — with and without
JavaScript."""

from __future__ import annotations

import re
from collections.abc import Iterator

import psycopg
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.engine import make_url

from tests.e2e.conftest import PHONE, new_context, server_database, shot_path
from tests.e2e.test_accessibility import assert_accessible, file_report
from tests.e2e.test_public import wait_for_map

HEIGHT = PHONE["viewport"]["height"]  # type: ignore[index]


def without_our_scripts(page: Page) -> None:
    """What a browser without JavaScript shows: the page's scripts are refused (axe and the
    test's own checks need scripts of their own, so JavaScript itself stays on)."""
    page.route("**/static/js/*", lambda route: route.abort())
    page.route("**/static/vendor/**/*.js", lambda route: route.abort())


@pytest.fixture
def no_js(browser, server, request) -> Iterator[Page]:
    context = new_context(browser, server, **PHONE)
    page = context.new_page()
    without_our_scripts(page)
    yield page
    page.screenshot(path=str(shot_path(request.node.name)), full_page=True)
    context.close()


def no_sideways_scroll(page: Page) -> None:
    wide = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert wide[0] <= wide[1], f"{page.url} scrolls sideways: {wide}"


def test_the_map_comes_first(phone: Page, server: str):
    phone.goto(server + "/")
    wait_for_map(phone)
    box = phone.locator("#map").bounding_box()
    assert box is not None
    assert box["y"] < HEIGHT / 2, box  # the map starts in the upper half of the first screen
    assert box["y"] + box["height"] > HEIGHT * 0.8  # and fills most of the rest
    expect(phone.get_by_label("Kategorie")).to_be_hidden()  # folded behind "Filter"
    expect(phone.locator("#filter-toggle > summary")).to_be_visible()
    no_sideways_scroll(phone)
    assert_accessible(phone)


def test_the_filter_button_opens_by_keyboard(phone: Page, server: str):
    phone.goto(server + "/")
    wait_for_map(phone)
    summary = phone.locator("#filter-toggle > summary")
    for _ in range(10):
        phone.keyboard.press("Tab")
        if summary.evaluate("(s) => s === document.activeElement"):
            break
    expect(summary).to_be_focused()
    phone.keyboard.press("Enter")
    expect(phone.locator("#filter-toggle")).to_have_attribute("open", "")
    status = phone.get_by_label("Status")
    expect(status).to_be_visible()
    expect(status).to_have_value("current")
    with phone.expect_response(re.compile(r"/api/v1/map\?.*status=all")):
        status.select_option("all")
    wait_for_map(phone)
    expect(phone).to_have_url(re.compile(r"status=all"))  # the view can be shared
    expect(phone.get_by_role("link", name="Als Liste", exact=True)).to_have_attribute(
        "href", re.compile(r"/meldungen\?.*status=all")
    )
    assert_accessible(phone)  # with the filters open
    phone.keyboard.press("Shift+Tab")
    phone.keyboard.press("Shift+Tab")
    phone.keyboard.press("Space")  # toggles it shut again


def test_near_me_centres_the_map(browser, server: str, request):
    context = new_context(
        browser,
        server,
        geolocation={"latitude": 51.1705, "longitude": 7.0845},
        permissions=["geolocation"],
        **PHONE,
    )
    page = context.new_page()
    try:
        page.goto(server + "/")
        wait_for_map(page)
        with page.expect_response(re.compile(r"/api/v1/map\?.*zoom=16")):
            page.get_by_role("button", name="In meiner Nähe").tap()
        expect(page.locator("#near-me-status")).to_have_text(
            "Die Karte zeigt jetzt die Meldungen in Ihrer Nähe."
        )
    finally:
        page.screenshot(path=str(shot_path(request.node.name)), full_page=True)
        context.close()


def test_near_me_says_so_when_denied(phone: Page, server: str):
    phone.goto(server + "/")
    wait_for_map(phone)
    phone.get_by_role("button", name="In meiner Nähe").tap()
    expect(phone.locator("#near-me-status")).to_contain_text(
        "Sie haben den Zugriff auf Ihren Standort nicht erlaubt."
    )


def test_without_javascript_the_filters_still_work(no_js: Page, server: str):
    no_js.goto(server + "/")
    expect(no_js.locator("html.no-js")).to_have_count(1)
    expect(no_js.get_by_role("button", name="In meiner Nähe")).to_be_hidden()
    expect(no_js.get_by_label("Kategorie")).to_be_hidden()
    no_js.locator("#filter-toggle > summary").click()  # a disclosure needs no script
    no_js.get_by_label("Status").select_option("all")
    no_js.get_by_role("button", name="Filtern").click()
    expect(no_js).to_have_url(re.compile(r"/meldungen\?.*status=all"))
    expect(no_js.locator(".report-list li").first).to_be_visible()
    no_sideways_scroll(no_js)
    assert_accessible(no_js)


def _publish(app, case: str) -> None:
    url = make_url(server_database(app))
    admin = {"host": url.host, "port": url.port, "user": url.username, "password": url.password}
    with psycopg.connect(dbname=url.database, autocommit=True, **admin) as connection:
        connection.execute(
            "UPDATE reports SET published_at = now() WHERE case_number = %s", (case,)
        )


def test_list_rows_show_thumbnail_place_and_age(phone: Page, server: str, app):
    case = file_report(phone, server, "Die Laterne am Kiosk ist seit Tagen dunkel.")
    _publish(app, case)
    phone.goto(server + "/meldungen")
    row = phone.locator(".report-list li").filter(has_text=case)
    expect(row.locator("img.thumb")).to_be_visible()
    assert row.locator("img.thumb").evaluate("(i) => i.complete && i.naturalWidth > 0")
    expect(row.locator(".place")).not_to_be_empty()
    expect(row.locator("time")).to_have_text(re.compile(r"^vor \d+ (Sekunden?|Minuten?)$"))
    expect(row.locator("time")).to_have_attribute("datetime", re.compile(r"^\d{4}-\d\d-\d\dT"))
    expect(row).to_contain_text("Die Laterne am Kiosk ist seit Tagen dunkel.")
    no_sideways_scroll(phone)
    assert_accessible(phone)


def test_the_header_finds_a_report_by_its_number(phone: Page, server: str):
    phone.goto(server + "/meldungen?status=all")
    href = phone.locator(".report-list a").first.get_attribute("href") or ""
    case = href.rsplit("/", 1)[-1]
    phone.get_by_label("Vorgangsnummer").fill(case)
    phone.get_by_label("Vorgangsnummer").press("Enter")
    expect(phone).to_have_url(re.compile(rf"/meldungen/{case}$"))
    phone.get_by_label("Vorgangsnummer").fill("2026-9999999")
    phone.get_by_role("button", name="Anzeigen").tap()
    expect(phone.get_by_role("alert")).to_contain_text("Keine Meldung mit der Vorgangsnummer")
    assert_accessible(phone)


@pytest.mark.parametrize("javascript", [True, False])
def test_figures_are_cards_without_sideways_scrolling(browser, server, request, javascript):
    context = new_context(browser, server, **PHONE)
    page = context.new_page()
    if not javascript:
        without_our_scripts(page)
    try:
        page.goto(server + "/transparenz?zeitraum=alle")
        expect(page.locator("table.figures").first).to_be_visible()
        no_sideways_scroll(page)
        cell = page.locator("table.figures tbody td").first
        label = cell.evaluate("(td) => getComputedStyle(td, '::before').content")
        assert "Eingegangen" in label
        expect(page.get_by_role("table").first).to_be_visible()  # still a table to assistive tech
        expect(page.get_by_role("columnheader", name="Offen").first).to_be_attached()
        assert_accessible(page)
    finally:
        page.screenshot(path=str(shot_path(request.node.name)), full_page=True)
        context.close()
