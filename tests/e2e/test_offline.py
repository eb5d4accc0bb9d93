"""A crew in a basement without signal, on a phone, with Playwright's offline mode: the queue
and the open jobs read from the service worker's copies, a status change made offline waits on
the device ("1 Änderung wartet auf Netz") and reaches the server exactly once when the network
is back, a change someone else overtook is shown ("inzwischen geändert"), and logging out
leaves no page and no queued change of that person in the browser — also not for the next
person logging in on the same phone."""

from __future__ import annotations

import io

import psycopg
import pytest
from PIL import Image
from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy.engine import make_url

from tests.e2e.conftest import (
    PHONE,
    choose_category,
    login,
    new_context,
    open_coordinates,
    shot_path,
)
from tests.e2e.conftest import server_database as e2e_database
from tests.e2e.test_accessibility import assert_accessible

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


def notes(database, case: str) -> int:
    return events(database, case, "public_note") + events(database, case, "internal_note")


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


def after_photo() -> dict:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (40, 160, 60)).save(buffer, "JPEG")
    return {"name": "nachher.jpg", "mimeType": "image/jpeg", "buffer": buffer.getvalue()}


def after_photos(database, case: str) -> int:
    return database.execute(
        "SELECT count(*) FROM photos p JOIN reports r ON r.id = p.report_id"
        " WHERE r.case_number = %s AND p.after",
        (case,),
    ).fetchone()[0]


def test_changes_made_offline_wait_and_reach_the_server_once(crew_phone, server: str, database):
    context, page = crew_phone
    case = file_light_report(page, server, "Laterne im Tunnel flackert.")
    login(page, server, CREW)
    ready_offline(page, server)
    page.goto(f"{server}/staff/meldungen/{case}")
    statuses, priorities = events(database, case), events(database, case, "internal_note")
    go_offline(context, page)
    page.get_by_label("Neuer Status").select_option(label="In Bearbeitung")
    page.get_by_label("Notiz (freiwillig)").fill("Im Keller, ohne Netz.")
    page.get_by_label("Foto danach (freiwillig)").set_input_files(after_photo())
    page.get_by_role("button", name="Speichern", exact=True).tap()
    expect(page.locator(".offline-count")).to_have_text("1 Änderung wartet auf Netz")
    # A second change on the same page (the same version): it goes on top of the first.
    page.get_by_label("Priorität", exact=True).select_option(label="dringend")
    page.get_by_role("button", name="Priorität setzen").tap()
    expect(page.locator(".offline-count")).to_have_text("2 Änderungen warten auf Netz")
    expect(page.locator(".offline-news")).to_contain_text("Auf diesem Gerät gespeichert")
    page.screenshot(path=str(shot_path("crew_offline_waiting")))
    assert events(database, case) == statuses

    context.set_offline(False)
    expect(page.locator(".offline-news")).to_have_text("2 Änderungen gesendet.")
    expect(page.locator(".offline-count")).to_have_text("")
    page.reload()  # every page load tries the queue again: nothing is left to send
    expect(page.locator(".facts")).to_contain_text("In Bearbeitung")
    expect(page.locator(".facts")).to_contain_text("dringend")
    expect(page.locator(".timeline")).to_contain_text("Im Keller, ohne Netz.")
    assert events(database, case) == statuses + 1
    assert events(database, case, "internal_note") == priorities + 1
    assert after_photos(database, case) == 1


def test_a_change_overtaken_meanwhile_is_shown_until_the_crew_decides(
    crew_phone, server: str, database
):
    context, page = crew_phone
    case = file_light_report(page, server, "Laterne an der Brücke ist dunkel.")
    login(page, server, CREW)
    ready_offline(page, server)
    page.goto(f"{server}/staff/meldungen/{case}")
    before = events(database, case)
    go_offline(context, page)
    page.get_by_label("Neuer Status").select_option(label="Erledigt")
    page.get_by_label("Notiz (freiwillig)").fill("Leuchte getauscht.")
    page.get_by_role("button", name="Speichern", exact=True).tap()
    expect(page.locator(".offline-count")).to_have_text("1 Änderung wartet auf Netz")
    # Meanwhile the office changed the report.
    database.execute("UPDATE reports SET version = version + 1 WHERE case_number = %s", (case,))

    context.set_offline(False)
    problem = page.locator(".offline-problem")
    expect(problem).to_contain_text(f"Meldung {case}: inzwischen geändert – bitte prüfen")
    expect(problem.get_by_role("link", name=f"Meldung {case}")).to_have_attribute(
        "href", f"/staff/meldungen/{case}"
    )
    assert events(database, case) == before
    assert_accessible(page)
    page.get_by_role("link", name="1 Änderung nicht gesendet – bitte prüfen").tap()
    page.screenshot(path=str(shot_path("crew_offline_conflict")))
    page.goto(f"{server}/staff/warteschlange")  # still there on any other page
    expect(page.locator(".offline-problem")).to_contain_text("inzwischen geändert")

    page.locator(".offline-problem").get_by_role("link").tap()
    page.get_by_role("button", name="Mit aktuellem Stand erneut senden").tap()
    expect(page.locator(".offline-news")).to_have_text("1 Änderung gesendet.")
    expect(page.locator(".offline-problem")).to_have_count(0)
    page.reload()
    expect(page.locator(".facts")).to_contain_text("Erledigt")
    assert events(database, case) == before + 1


def stored_urls(page: Page) -> dict[str, list[str]]:
    return page.evaluate(
        """async () => {
            const out = {};
            for (const name of await caches.keys()) {
                out[name] = (await (await caches.open(name)).keys()).map(r => r.url);
            }
            return out;
        }"""
    )


def databases(page: Page) -> list[str]:
    return page.evaluate("async () => (await indexedDB.databases()).map(d => d.name)")


def test_logout_leaves_no_page_and_no_change_of_that_person(crew_phone, server: str, database):
    context, page = crew_phone
    case = file_light_report(page, server, "Laterne am Markt ist aus.")
    login(page, server, CREW)
    ready_offline(page, server)
    page.goto(f"{server}/staff/meldungen/{case}")
    go_offline(context, page)
    page.get_by_label("Neuer Status").select_option(label="In Prüfung")
    page.get_by_role("button", name="Speichern", exact=True).tap()
    expect(page.locator(".offline-count")).to_have_text("1 Änderung wartet auf Netz")
    assert any(f"/staff/meldungen/{case}" in u for urls in stored_urls(page).values() for u in urls)
    context.set_offline(False)
    expect(page.locator(".offline-count")).to_have_text("")
    # A change that stays: overtaken, and not yet dismissed.
    go_offline(context, page)
    page.get_by_label("Neuer Status").select_option(label="In Bearbeitung")
    page.get_by_role("button", name="Speichern", exact=True).tap()
    database.execute("UPDATE reports SET version = version + 1 WHERE case_number = %s", (case,))
    context.set_offline(False)
    expect(page.locator(".offline-problem")).to_contain_text("inzwischen geändert")

    page.once("dialog", lambda dialog: dialog.accept())  # "… geht beim Abmelden verloren"
    page.get_by_role("button", name="Abmelden").tap()
    page.wait_for_url("**/anmelden")
    assert not any("/staff/" in u for urls in stored_urls(page).values() for u in urls)
    assert "maengelmelder-offline" not in databases(page)

    # The next person on this phone: only their own pages, none of the crew's.
    login(page, server, DISPATCHER)
    ready_offline(page, server)
    dispatcher = page.locator("meta[name=staff-user]").get_attribute("content")
    assert [n for n in stored_urls(page) if n.startswith("mm-staff-")] == [f"mm-staff-{dispatcher}"]
    go_offline(context, page)
    page.goto(f"{server}/staff/meldungen/{case}")
    expect(page.locator("meta[name=offline-copy]")).to_have_attribute("content", "1")
    expect(page.locator("meta[name=staff-user]")).to_have_attribute("content", dispatcher)
    expect(page.locator(".offline-problem")).to_have_count(0)
    expect(page.locator(".offline-count")).to_have_text("")


def test_another_person_logging_in_drops_the_copies_of_the_one_before(crew_phone, server: str):
    """No logout (the session ran out, the cookie is gone): the next login still sees nothing."""
    context, page = crew_phone
    login(page, server, CREW)
    ready_offline(page, server)
    crew_cache = [name for name in stored_urls(page) if name.startswith("mm-staff-")]
    assert len(crew_cache) == 1
    context.clear_cookies()
    login(page, server, DISPATCHER)
    page.goto(server + "/staff/warteschlange")
    stored = stored_urls(page)
    assert crew_cache[0] not in stored
    assert [name for name in stored if name.startswith("mm-staff-")] != []


def test_a_form_the_page_script_did_not_catch_is_queued_by_the_worker(
    crew_phone, server: str, database
):
    """A form sent past the page's script (here: form.submit(), which fires no submit event),
    as when the network fails although the phone thinks it is online: the worker keeps it and
    shows the stored report instead of the browser's error page."""
    context, page = crew_phone
    case = file_light_report(page, server, "Laterne am Bahnhof brennt tagsüber.")
    login(page, server, CREW)
    ready_offline(page, server)
    page.goto(f"{server}/staff/meldungen/{case}")
    before = events(database, case)
    go_offline(context, page)
    page.get_by_label("Neuer Status").select_option(label="In Bearbeitung")
    page.locator("form.staff-action:has(#status)").evaluate("form => form.submit()")
    expect(page.locator(".offline-news")).to_contain_text("Auf diesem Gerät gespeichert")
    expect(page.locator(".offline-count")).to_have_text("1 Änderung wartet auf Netz")
    expect(page.locator(".offline-state")).to_contain_text("Offline – Stand von")
    context.set_offline(False)
    expect(page.locator(".offline-count")).to_have_text("")
    page.reload()
    expect(page.locator(".facts")).to_contain_text("In Bearbeitung")
    assert events(database, case) == before + 1


def test_a_save_lost_while_the_phone_thinks_it_is_online_waits_on_the_device(
    crew_phone, server: str, database
):
    """One bar of signal: the crew page's own send fails (the phone still says online). The
    note waits on the device instead of asking to type it again, and goes once the network
    carries it."""
    _context, page = crew_phone
    case = file_light_report(page, server, "Laterne am Markt flackert.")
    login(page, server, CREW)
    ready_offline(page, server)
    page.goto(f"{server}/staff/meldungen/{case}")
    before = events(database, case), notes(database, case)
    page.route(f"**/staff/meldungen/{case}/status", lambda route: route.abort())
    page.get_by_label("Neuer Status").select_option(label="In Bearbeitung")
    page.locator("#note").fill("Leuchtmittel bestellt.")
    page.locator("form.staff-action:has(#status) button[type=submit]").click()
    expect(page.locator(".offline-news")).to_contain_text("Auf diesem Gerät gespeichert")
    expect(page.locator(".offline-count")).to_have_text("1 Änderung wartet auf Netz")
    assert (events(database, case), notes(database, case)) == before
    page.unroute(f"**/staff/meldungen/{case}/status")
    page.reload()
    expect(page.locator(".offline-count")).to_have_text("")
    page.reload()
    expect(page.locator(".facts")).to_contain_text("In Bearbeitung")
    after = events(database, case), notes(database, case)
    assert after == (before[0] + 1, before[1] + 1)  # the status and the note, once each
