"""The dispatcher's search, a crew's bulk status change and the question to the reporter, in the
browser on a phone: a reporter answers from the mailed link without an account, staff publish
the answer; a crew ticks two jobs and sets their status in one go (a refusal names the job).
Every page on the way is checked with axe."""

from __future__ import annotations

import re

import psycopg
from playwright.sync_api import Page, expect
from sqlalchemy.engine import make_url

from tests.e2e.conftest import (
    PHONE,
    choose_category,
    login,
    new_context,
    open_coordinates,
    server_database,
    shot_path,
)
from tests.e2e.test_accessibility import CREW, DISPATCHER, assert_accessible

REPORTER = "anwohnerin@example.org"


def file_report(page: Page, server: str, description: str, email: str | None = None) -> str:
    page.goto(server + "/melden")
    open_coordinates(page)
    page.get_by_label("Breitengrad").fill("51,1708")
    page.get_by_label("Längengrad").fill("7,0841")
    choose_category(page, "Straßenbeleuchtung defekt")
    page.get_by_label("Beschreibung").fill(description)
    if email:
        page.get_by_label("E-Mail (freiwillig, für Rückmeldungen)").fill(email)
        page.get_by_label("Ich bin einverstanden").check()
    page.get_by_role("button", name="Meldung absenden").click()
    expect(page.get_by_role("heading", name="Vielen Dank für Ihre Meldung!")).to_be_visible()
    return page.locator(".case-number").inner_text()


def mailed_answer_link(app, case: str) -> str:
    """The answer link as the reporter receives it (the database keeps only its hash)."""
    url = make_url(server_database(app))
    with psycopg.connect(
        host=url.host, port=url.port, user=url.username, password=url.password, dbname=url.database
    ) as connection:
        text = connection.execute(
            "SELECT m.body_text FROM outbox_mails m JOIN reports r ON r.id = m.report_id "
            "WHERE m.kind = 'inquiry' AND r.case_number = %s ORDER BY m.id DESC LIMIT 1",
            (case,),
        ).fetchone()[0]
    return re.search(r"https?://\S*/rueckfrage/\S+", text).group(0)


def test_the_reporter_answers_on_a_phone_and_staff_publish(app, browser, server, phone):
    desk = new_context(browser, server, viewport={"width": 1280, "height": 900})
    staff = desk.new_page()
    case = file_report(staff, server, "Laterne flackert nachts.", email=REPORTER)
    login(staff, server, DISPATCHER)
    staff.goto(f"{server}/staff/meldungen/{case}")
    staff.get_by_label("Frage an die meldende Person", exact=True).fill(
        "Vor welcher Hausnummer genau?"
    )
    staff.get_by_role("button", name="Rückfrage senden").click()
    expect(staff.get_by_role("status")).to_contain_text("Gespeichert")
    expect(staff.locator(".inquiries")).to_contain_text("Rückfrage offen")

    # The reporter, on her phone, from the link in the mail: no account, no login.
    mailed = mailed_answer_link(app, case)
    link = server + mailed[mailed.index("/rueckfrage/") :]
    phone.goto(link)
    expect(
        phone.get_by_role("heading", name=re.compile("Rückfrage zu Ihrer Meldung"))
    ).to_contain_text(case)
    expect(phone.locator(".inquiry-question")).to_have_text("Vor welcher Hausnummer genau?")
    assert_accessible(phone)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.get_by_label("Ihre Antwort").fill("Vor Nummer 14, gegenüber dem Kiosk.")
    phone.get_by_role("button", name="Antwort senden").tap()
    expect(phone.get_by_role("heading", name="Vielen Dank für Ihre Antwort!")).to_be_visible()
    expect(phone.get_by_role("status")).to_contain_text(case)
    assert_accessible(phone)
    phone.goto(link)  # the link works once
    expect(
        phone.get_by_role("heading", name="Diese Rückfrage ist bereits beantwortet")
    ).to_be_visible()
    assert_accessible(phone)

    staff.reload()
    answer = staff.get_by_label("Öffentlicher Text der Antwort (persönliche Daten entfernen)")
    expect(answer).to_have_value("Vor Nummer 14, gegenüber dem Kiosk.")
    answer.fill("Vor Nummer 14.")
    staff.get_by_role("button", name="Antwort veröffentlichen").click()
    expect(staff.get_by_role("status")).to_contain_text("Gespeichert")
    staff.screenshot(path=str(shot_path("inquiry_staff_page")), full_page=True)
    desk.close()

    phone.goto(f"{server}/meldungen/{case}")
    timeline = phone.locator(".timeline")
    expect(timeline).to_contain_text("Antwort der meldenden Person")
    expect(timeline).to_contain_text("Vor Nummer 14.")
    expect(timeline).not_to_contain_text("Kiosk")


def test_a_crew_sets_the_status_of_two_jobs_at_once_on_a_phone(browser, server, phone):
    desk = new_context(browser, server, **PHONE)
    citizen = desk.new_page()
    cases = [file_report(citizen, server, f"Laterne {n} am Weg ist aus.") for n in (1, 2)]
    desk.close()

    login(phone, server, CREW)
    phone.goto(f"{server}/staff/warteschlange?status=received")
    for case in cases:
        phone.get_by_label(f"Meldung {case} auswählen").check()
    expect(phone.locator("#bulk-count")).to_have_text("2 Meldungen ausgewählt")
    phone.get_by_label("Neuer Status").select_option(label="In Bearbeitung")
    phone.get_by_label("Notiz für alle (freiwillig)").fill("Trupp ist unterwegs.")
    assert_accessible(phone)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.get_by_role("button", name="Status setzen").tap()
    expect(phone.get_by_role("status")).to_contain_text("für 2 Meldungen gesetzt")
    for case in cases:
        expect(phone.get_by_role("status")).to_contain_text(case)

    # The same again: the first one already has the status, so neither changes.
    phone.goto(f"{server}/staff/warteschlange?status=in_progress")
    for case in cases:
        phone.get_by_label(f"Meldung {case} auswählen").check()
    phone.get_by_label("Neuer Status").select_option(label="In Bearbeitung")
    phone.get_by_role("button", name="Status setzen").tap()
    expect(phone.get_by_role("heading", name="Sammelaktion nicht ausgeführt")).to_be_visible()
    expect(phone.get_by_role("alert")).to_contain_text("hat bereits diesen Status")
    expect(phone.get_by_role("alert")).to_contain_text("Es wurde keine Meldung geändert.")
    for case in cases:
        expect(phone.get_by_label(f"Meldung {case} auswählen")).to_be_checked()
    assert_accessible(phone)

    phone.get_by_role("checkbox", name="Alle 2 Meldungen auswählen").uncheck()
    expect(phone.locator("#bulk-count")).to_have_text("0 Meldungen ausgewählt")


def test_the_search_on_a_phone(browser, server, phone):
    login(phone, server, DISPATCHER)
    phone.goto(f"{server}/staff/eingang")
    search = phone.get_by_role(
        "searchbox", name="Vorgangsnummer, Text oder Kontakt der meldenden Person"
    )
    search.fill("Laterne")
    search.press("Enter")
    expect(phone.get_by_role("heading", name="Ergebnis")).to_be_visible()
    first = phone.locator(".search-results li a").first
    case = first.inner_text().split(" · ")[0]
    assert_accessible(phone)
    phone.get_by_role("searchbox").fill(case)
    phone.get_by_role("button", name="Suchen").click()
    expect(phone).to_have_url(f"{server}/staff/meldungen/{case}")
    phone.goto(f"{server}/staff/suche?q=%25%25")
    expect(phone.locator("#suche-error")).to_contain_text("mindestens ein Wort")
    assert_accessible(phone)
