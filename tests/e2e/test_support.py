""" "Ich bin auch betroffen" on a phone (390 × 844): from the report form's nearby list to the
support page, the mail's confirmation page and the counted support on the report page; with and
without JavaScript, every page axe-clean and without sideways scrolling."""

from __future__ import annotations

import re
import uuid

import psycopg
from playwright.sync_api import Page, expect
from sqlalchemy.engine import make_url

from tests.e2e.conftest import choose_category, open_coordinates, server_database
from tests.e2e.test_accessibility import assert_accessible, file_report
from tests.e2e.test_phone_map import no_js, no_sideways_scroll  # noqa: F401  (fixture)

LAMP = "Straßenbeleuchtung defekt"


def _confirm_link(app, address: str) -> str:
    """The link in the confirmation mail, read from the outbox (the e2e server sends none)."""
    url = make_url(server_database(app))
    login = {"host": url.host, "port": url.port, "user": url.username, "password": url.password}
    with psycopg.connect(dbname=url.database, **login) as connection:
        row = connection.execute(
            "SELECT body_text FROM outbox_mails WHERE kind = 'support_confirm' "
            "AND recipient = %s ORDER BY id DESC LIMIT 1",
            (address,),
        ).fetchone()
    assert row is not None, f"no confirmation mail to {address}"
    found = re.search(r"https?://\S*/unterstuetzung/bestaetigen/\S+", row[0])
    assert found is not None
    return found.group(0)


def _path(link: str) -> str:
    return "/" + link.split("/", 3)[3]


def test_from_the_nearby_list_to_a_counted_support(phone: Page, server: str, app):
    case = file_report(phone, server, "Laterne vor der Bäckerei ist aus.")  # at 51,1705 7,0845
    phone.goto(server + "/melden")
    open_coordinates(phone)
    phone.get_by_label("Breitengrad").fill("51,1705")
    phone.get_by_label("Längengrad").fill("7,0846")
    phone.get_by_label("Längengrad").blur()
    choose_category(phone, LAMP)
    nearby = phone.locator("#nearby")
    expect(nearby).to_contain_text(case)
    nearby.get_by_role("link", name=f"Ich bin auch betroffen ({case})").click()

    expect(phone.get_by_role("heading", name="Ich bin auch betroffen")).to_be_visible()
    expect(phone.locator("main")).to_contain_text(case)
    assert_accessible(phone)
    no_sideways_scroll(phone)
    address = f"betroffen-{uuid.uuid4().hex[:8]}@example.net"
    phone.get_by_label("Ihre E-Mail-Adresse").fill(address)
    phone.get_by_label("Auch über Neuigkeiten zu dieser Meldung informieren").check()
    phone.get_by_role("button", name="Ich bin auch betroffen").click()
    expect(phone.get_by_role("heading", name="Fast geschafft")).to_be_visible()
    assert_accessible(phone)

    link = _confirm_link(app, address)
    phone.goto(server + _path(link))
    button = phone.get_by_role("button", name="Ja, ich bin auch betroffen")
    expect(button).to_be_visible()
    assert_accessible(phone)
    no_sideways_scroll(phone)
    button.click()
    expect(phone.get_by_role("heading", name="Danke, Ihre Unterstützung zählt")).to_be_visible()
    assert_accessible(phone)
    phone.get_by_role("link", name="Zur Meldung").click()
    expect(phone.locator("#unterstuetzung-anzahl")).to_have_text("1 Person")

    # The mail's link once more (another tab, a second tap): counted once, and said so.
    phone.goto(server + _path(link))
    phone.get_by_role("button", name="Ja, ich bin auch betroffen").click()
    expect(phone.get_by_role("heading", name="Schon gezählt")).to_be_visible()
    assert_accessible(phone)
    phone.goto(f"{server}/meldungen/{case}")
    expect(phone.locator("#unterstuetzung-anzahl")).to_have_text("1 Person")


def test_without_javascript_the_form_explains_a_bad_address(no_js: Page, server: str):  # noqa: F811
    case = file_report(no_js, server, "Laterne am Brunnen flackert.")
    no_js.goto(f"{server}/meldungen/{case}")
    no_js.get_by_role("link", name="Ich bin auch betroffen").click()
    no_js.get_by_label("Ihre E-Mail-Adresse").fill("keine-adresse")
    no_js.get_by_role("button", name="Ich bin auch betroffen").click()
    expect(no_js.get_by_role("alert")).to_contain_text("Bitte prüfen Sie Ihre Angaben")
    expect(no_js.get_by_label("Ihre E-Mail-Adresse")).to_have_attribute("aria-invalid", "true")
    assert_accessible(no_js)
    no_sideways_scroll(no_js)


def test_a_forged_link_gets_a_clear_page(phone: Page, server: str):
    phone.goto(server + "/unterstuetzung/bestaetigen/gefaelscht")
    phone.get_by_role("button", name="Ja, ich bin auch betroffen").click()
    expect(phone.get_by_role("heading", name="Dieser Link ist nicht gültig")).to_be_visible()
    assert_accessible(phone)
