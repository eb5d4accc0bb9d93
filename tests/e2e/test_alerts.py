"""The area alert form on a phone without JavaScript: choose a circle around a point, some
categories and the daily digest, send, and read that a confirmation mail is on its way — every
step axe-clean, no sideways scrolling, and the request stored unconfirmed."""

from __future__ import annotations

import psycopg
from playwright.sync_api import Page, expect
from sqlalchemy.engine import make_url

from tests.e2e.conftest import server_database
from tests.e2e.test_accessibility import assert_accessible
from tests.e2e.test_phone_map import no_js, no_sideways_scroll  # noqa: F401  (a fixture)

EMAIL = "e2e-gebiet@example.org"


def stored(app) -> list[tuple]:
    url = make_url(server_database(app))
    admin = {"host": url.host, "port": url.port, "user": url.username, "password": url.password}
    with psycopg.connect(dbname=url.database, autocommit=True, **admin) as connection:
        return connection.execute(
            "SELECT kind, radius_m, mode, cardinality(category_ids), confirmed_at IS NULL "
            "FROM area_alerts WHERE email = %s",
            (EMAIL,),
        ).fetchall()


def test_asking_for_alerts_on_a_phone_without_javascript(app, no_js: Page, server: str):  # noqa: F811
    no_js.goto(server + "/benachrichtigungen/gebiet")
    expect(no_js.get_by_role("heading", level=1)).to_contain_text("Neue Meldungen")
    no_sideways_scroll(no_js)
    assert_accessible(no_js)

    no_js.get_by_label("Umkreis um einen Punkt (Koordinaten)").check()
    no_js.get_by_label("Breitengrad").fill("51,1705")
    no_js.get_by_label("Längengrad").fill("7,0845")
    no_js.get_by_label("Umkreis", exact=True).select_option("1000")
    no_js.get_by_label("Wilde Müllkippe").check()
    no_js.get_by_label("Täglich: eine E-Mail mit allen neuen Meldungen des Tages").check()
    no_js.get_by_label("Ihre E-Mail-Adresse").fill(EMAIL)
    no_js.get_by_role("button", name="E-Mails bestellen").click()

    expect(no_js.get_by_role("status")).to_contain_text("1 km um 51.17050, 7.08450")
    no_sideways_scroll(no_js)
    assert_accessible(no_js)
    assert stored(app) == [("radius", 1000, "digest", 1, True)]


def test_a_wrong_entry_shows_the_form_with_a_clear_error(app, no_js: Page, server: str):  # noqa: F811
    no_js.goto(server + "/benachrichtigungen/gebiet")
    no_js.get_by_label("Umkreis um eine Adresse").check()
    no_js.get_by_label("Adresse", exact=True).fill("Zzyzxstrasse 5")
    no_js.get_by_label("Ihre E-Mail-Adresse").fill("keine-adresse")
    no_js.get_by_role("button", name="E-Mails bestellen").click()
    expect(no_js.locator(".error-summary")).to_contain_text("E-Mail")
    no_sideways_scroll(no_js)
    assert_accessible(no_js)
