"""A crew in a basement without signal, on a phone, with Playwright's offline mode: the queue
and the open jobs read from the service worker's copies, a status change made offline waits on
the device ("1 Änderung wartet auf Netz") and reaches the server exactly once when the network
is back, a change someone else overtook is shown ("inzwischen geändert"), and logging out
leaves no page and no queued change of that person in the browser — also not for the next
person logging in on the same phone."""

from __future__ import annotations

import psycopg
import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy.engine import make_url

from tests.e2e.conftest import PHONE, choose_category, login, new_context, open_coordinates
from tests.e2e.conftest import server_database as e2e_database

CREW, DISPATCHER = "licht@example.org", "poststelle@example.org"


@pytest.fixture
def database(app):
    url = make_url(e2e_database(app))
    with psycopg.connect(
        host=url.host, port=url.port, user=url.username, password=url.password, dbname=url.database
    ) as connection:
        connection.autocommit = True
        yield connection


@pytest.fixture
def crew_phone(browser, server: str, request):
    """The crew's phone (a browser context of its own, with the service worker), logged in."""
    context = new_context(browser, server, **PHONE)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield context, page
    from tests.e2e.conftest import shot_path

    page.screenshot(path=str(shot_path(request.node.name)), full_page=True)
    context.close()
    assert errors == [], f"JavaScript errors: {errors}"


def file_light_report(page: Page, server: str, text: str) -> str:
    page.goto(server + "/melden")
    open_coordinates(page)
    page.get_by_label("Breitengrad").fill("51,1705")
    page.get_by_label("Längengrad").fill("7,0845")
    choose_category(page, "Straßenbeleuchtung defekt")
    page.get_by_label("Beschreibung").fill(text)
    page.get_by_role("button", name="Meldung absenden").click()
    return page.locator(".case-number").inner_text()


def events(database, case: str, kind: str = "status_change") -> int:
    return database.execute(
        "SELECT count(*) FROM timeline_events e JOIN reports r ON r.id = e.report_id"
        " WHERE r.case_number = %s AND e.kind = %s",
        (case, kind),
    ).fetchone()[0]


def ready_offline(page: Page, server: str) -> None:
    """The queue page, once the worker controls it and has stored the open jobs."""
    page.goto(server + "/staff/warteschlange")
    # A page loaded while the worker installs is taken over by clients.claim() in a browser;
    # under Playwright's request routing it is not, so the test loads the page again.
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.wait_for_function("() => document.documentElement.dataset.offlineReady !== undefined")


def go_offline(context: BrowserContext, page: Page) -> None:
    context.set_offline(True)
    page.wait_for_function("() => navigator.onLine === false")


def test_the_queue_and_a_job_open_offline_from_the_copies(crew_phone, server: str):
    context, page = crew_phone
    case = file_light_report(page, server, "Laterne am Kiosk ist aus.")
    login(page, server, CREW)
    ready_offline(page, server)
    go_offline(context, page)
    page.reload()
    expect(page.locator("meta[name=offline-copy]")).to_have_attribute("content", "1")
    expect(page.locator(".offline-state")).to_contain_text("Offline – Stand von")
    page.get_by_role("link", name=case).tap()
    expect(page.locator("h1")).to_contain_text(case)
    expect(page.locator(".offline-state")).to_contain_text("Offline – Stand von")
