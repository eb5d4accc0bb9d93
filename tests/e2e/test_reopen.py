"""'Ist der Mangel behoben?' on a phone (390 × 844): the reporter opens the "Nein" link from the
resolution mail, reopens the report with a comment, and finds the link used up; after
REOPEN_DAYS the page (also without JavaScript) offers a new report at the same place. Every
page is checked with axe and must not scroll sideways."""

from __future__ import annotations

import re

import psycopg
from playwright.sync_api import Browser, Page, expect
from sqlalchemy.engine import make_url

from tests.e2e.conftest import login, new_context, server_database
from tests.e2e.test_accessibility import CREW, assert_accessible
from tests.e2e.test_phone_map import no_js, no_sideways_scroll  # noqa: F401  (no_js: a fixture)
from tests.e2e.test_search_bulk_inquiry import file_report

REPORTER = "anwohner@example.org"


def _database(app) -> dict:
    url = make_url(server_database(app))
    return {
        "host": url.host,
        "port": url.port,
        "user": url.username,
        "password": url.password,
        "dbname": url.database,
    }


def resolved_report(app, browser: Browser, server: str, description: str) -> tuple[str, str]:
    """A report filed with the reporter's address and resolved by the crew in the browser;
    its case number and the mailed "Nein" link (the server sends no mail: it waits in the
    outbox)."""
    desk = new_context(browser, server, viewport={"width": 1280, "height": 900})
    page = desk.new_page()
    case = file_report(page, server, description, email=REPORTER)
    login(page, server, CREW)
    page.goto(f"{server}/staff/meldungen/{case}")
    page.get_by_label("Neuer Status").select_option(label="Erledigt")
    page.locator("form", has=page.locator("#status")).get_by_role(
        "button", name="Speichern"
    ).click()
    expect(page.get_by_role("status")).to_contain_text("Gespeichert")
    desk.close()
    with psycopg.connect(**_database(app)) as connection:
        text = connection.execute(
            "SELECT m.body_text FROM outbox_mails m JOIN reports r ON r.id = m.report_id "
            "WHERE m.kind = 'status' AND m.recipient = %s AND r.case_number = %s "
            "ORDER BY m.id DESC LIMIT 1",
            (REPORTER, case),
        ).fetchone()[0]
    link = re.search(r"https?://\S*/behoben/\S+/nein", text).group(0)
    return case, server + link[link.index("/behoben/") :]


def test_the_reporter_reopens_on_a_phone(app, browser, server, phone: Page):
    case, no = resolved_report(app, browser, server, "Laterne am Spielplatz ist dunkel.")
    phone.goto(no)
    expect(
        phone.get_by_role("heading", name=re.compile("Ist der Mangel behoben?"))
    ).to_contain_text(case)
    assert_accessible(phone)
    no_sideways_scroll(phone)
    phone.get_by_label("Was ist noch nicht in Ordnung? (freiwillig)").fill(
        "Sie brennt nur eine Nacht, dann wieder dunkel."
    )
    phone.get_by_role("button", name="Nein, Meldung wieder öffnen").tap()
    expect(phone.get_by_role("heading", name="Vielen Dank für Ihre Antwort!")).to_be_visible()
    expect(phone.get_by_role("status")).to_contain_text(f"Die Meldung {case} ist wieder offen.")
    assert_accessible(phone)

    phone.goto(no)  # one answer per resolution
    expect(phone.get_by_role("heading", name="Diese Frage ist bereits beantwortet")).to_be_visible()
    assert_accessible(phone)
    no_sideways_scroll(phone)

    phone.goto(f"{server}/meldungen/{case}")
    expect(phone.locator(".timeline")).to_contain_text("Wieder offen")
    expect(phone.locator("main")).not_to_contain_text("nur eine Nacht")


def test_the_ja_page_on_a_phone(app, browser, server, phone: Page):
    _, no = resolved_report(app, browser, server, "Laterne am Bach ist dunkel.")
    phone.goto(no[: -len("nein")] + "ja")
    expect(phone.get_by_role("button", name="Ja, der Mangel ist behoben")).to_be_visible()
    assert_accessible(phone)
    no_sideways_scroll(phone)
    phone.get_by_role("button", name="Ja, der Mangel ist behoben").tap()
    expect(phone.get_by_role("status")).to_contain_text("Ihre Bestätigung zur Meldung")


def test_after_the_deadline_a_new_report_at_the_same_place(app, browser, server, no_js: Page):  # noqa: F811
    case, no = resolved_report(app, browser, server, "Laterne an der Brücke ist dunkel.")
    with psycopg.connect(**_database(app), autocommit=True) as connection:
        connection.execute(
            "UPDATE resolution_feedback SET resolved_at = now() - interval '29 days' "
            "WHERE report_id = (SELECT id FROM reports WHERE case_number = %s)",
            (case,),
        )
    no_js.goto(no)
    expect(
        no_js.get_by_role("heading", name="Die Frist für eine Antwort ist vorbei")
    ).to_be_visible()
    assert_accessible(no_js)
    no_sideways_scroll(no_js)
    no_js.get_by_role("link", name="Neue Meldung an derselben Stelle").click()
    expect(no_js.get_by_label("Breitengrad")).to_have_value("51.170800")
    expect(no_js.get_by_label("Längengrad")).to_have_value("7.084100")
