"""The categories as tiles on a phone (390 × 844): symbol, name and help line, two per row; the
chosen category's notice and extra questions, with JavaScript only that category's — and without
JavaScript every category's questions, of which only the chosen one's count."""

from __future__ import annotations

import psycopg
from playwright.sync_api import Page, expect
from sqlalchemy.engine import make_url

from tests.e2e.conftest import choose_category, login, open_coordinates, server_database
from tests.e2e.test_accessibility import ADMIN, assert_accessible
from tests.e2e.test_phone_map import no_js  # noqa: F401  (fixture)

POTHOLE = "Schlagloch / Straßenschaden / Gehweg"
LAMP = "Straßenbeleuchtung defekt"


def _answers(app, case: str) -> list:
    url = make_url(server_database(app))
    login = {"host": url.host, "port": url.port, "user": url.username, "password": url.password}
    with psycopg.connect(dbname=url.database, **login) as connection:
        row = connection.execute("SELECT answers FROM reports WHERE case_number = %s", (case,))
        return row.fetchone()[0]


def _place_and_describe(page: Page, description: str) -> None:
    open_coordinates(page)
    page.get_by_label("Breitengrad").fill("51,1705")
    page.get_by_label("Längengrad").fill("7,0845")
    page.get_by_label("Beschreibung").fill(description)


def _send(page: Page) -> str:
    page.get_by_role("button", name="Meldung absenden").click()
    expect(page.get_by_role("heading", name="Vielen Dank für Ihre Meldung!")).to_be_visible()
    return page.locator(".case-number").inner_text()


def test_tiles_show_symbol_name_and_help_two_per_row(phone: Page, server: str):
    phone.goto(server + "/melden")
    lamp = phone.locator(".tile", has=phone.get_by_role("radio", name=LAMP, exact=True))
    expect(lamp.locator(".tile-help")).to_contain_text("Die Nummer am Mast hilft.")
    icon = lamp.locator("svg.tile-icon")
    expect(icon).to_be_visible()
    box = icon.bounding_box()
    assert box is not None and box["width"] >= 24
    # The symbol's sprite is served (a missing one would leave an empty square).
    sprite = phone.request.get(server + "/static/icons/categories.svg")
    assert sprite.ok and '<symbol id="lamp"' in sprite.text()
    tiles = phone.locator(".tile").all()
    first, second = tiles[0].bounding_box(), tiles[1].bounding_box()
    assert first and second and abs(first["y"] - second["y"]) < 1 and second["x"] > first["x"]
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    expect(phone.locator(".tiles legend, .tile-group > legend").first).to_have_text(
        "Straße und Verkehr"
    )


def test_a_tap_shows_the_notice_and_only_that_categorys_questions(phone: Page, server, app):
    phone.goto(server + "/melden")
    questions = phone.locator("fieldset.questions")
    expect(questions.first).to_be_hidden()  # nothing chosen yet
    phone.locator(".tile", has_text=POTHOLE).click(position={"x": 60, "y": 70})  # on the help
    expect(phone.get_by_role("radio", name=POTHOLE, exact=True)).to_be_checked()
    expect(phone.locator("#category-guide")).to_contain_text("Autobahn GmbH")
    expect(phone.get_by_role("group", name="Angaben zu „" + POTHOLE + "“")).to_be_visible()
    expect(phone.get_by_text("Nummer am Laternenmast (freiwillig)")).to_be_hidden()
    assert_accessible(phone)
    choose_category(phone, LAMP)
    expect(phone.get_by_label("Nummer am Laternenmast (freiwillig)")).to_be_visible()
    expect(phone.get_by_role("group", name="Angaben zu „" + POTHOLE + "“")).to_be_hidden()
    choose_category(phone, POTHOLE)
    phone.get_by_role("radio", name="Teilweise").check()
    _place_and_describe(phone, "Tiefes Loch in der Fahrbahn.")
    case = _send(phone)
    assert _answers(app, case) == [
        {"code": "fahrbahn", "label": "Ist die Fahrbahn blockiert?", "value": "Teilweise"}
    ]


def test_a_bad_answer_keeps_the_category_and_points_to_the_question(phone: Page, server):
    phone.goto(server + "/melden")
    choose_category(phone, "Ampel defekt")
    expect(phone.locator("#category-guide")).to_contain_text("110")  # the emergency notice
    phone.get_by_label("Wie viele Ampeln sind betroffen? (freiwillig)").fill("drei")
    _place_and_describe(phone, "Ampel ist dunkel.")
    phone.get_by_role("button", name="Meldung absenden").click()
    summary = phone.locator(".error-summary")
    expect(summary).to_contain_text("Wie viele Ampeln sind betroffen?: Bitte eine Zahl eingeben")
    expect(phone.get_by_role("radio", name="Ampel defekt", exact=True)).to_be_checked()
    field = phone.get_by_label("Wie viele Ampeln sind betroffen? (freiwillig)")
    expect(field).to_be_visible()
    expect(field).to_have_attribute("aria-invalid", "true")
    summary.get_by_role("link", name="Wie viele Ampeln").click()
    expect(field).to_be_focused()
    assert_accessible(phone)


def test_without_javascript_every_question_shows_and_the_chosen_one_counts(
    no_js: Page,  # noqa: F811
    server: str,
    app,
):
    no_js.goto(server + "/melden")
    expect(no_js.get_by_text("Nur ausfüllen, wenn Sie diese Kategorie gewählt haben.").first)
    expect(no_js.get_by_label("Nummer am Laternenmast (freiwillig)")).to_be_visible()
    expect(no_js.get_by_role("group", name="Angaben zu „" + POTHOLE + "“")).to_be_visible()
    expect(no_js.locator(".category-notices")).to_contain_text("Autobahn GmbH")
    no_js.get_by_label("Nummer am Laternenmast (freiwillig)").fill("L 0815")
    no_js.get_by_role("radio", name="Ja, ganz").check()  # another category's: not stored
    no_js.locator(".tile", has_text=LAMP).click()  # anywhere on the tile
    no_js.get_by_label("Breitengrad").fill("51,1705")
    no_js.get_by_label("Längengrad").fill("7,0845")
    no_js.get_by_label("Beschreibung").fill("Laterne aus.")
    case = _send(no_js)
    assert _answers(app, case) == [
        {"code": "mastnummer", "label": "Nummer am Laternenmast", "value": "L 0815"}
    ]


def test_the_admin_adds_a_question_on_the_category_page(phone: Page, server: str):
    login(phone, server, ADMIN)
    phone.goto(server + "/admin/kategorien")
    phone.get_by_role("link", name="Graffiti / Vandalismus").first.click()
    phone.get_by_label("Frage (z. B. „Nummer am Laternenmast“)").fill("Wie groß ist die Fläche?")
    phone.get_by_label("Code").fill("flaeche")
    phone.get_by_label("Art der Antwort").select_option("number")
    phone.get_by_role("button", name="Frage hinzufügen").click()
    expect(phone.get_by_text("Frage hinzugefügt.")).to_be_visible()
    expect(phone.get_by_role("cell", name="Wie groß ist die Fläche?", exact=True)).to_be_visible()
    assert_accessible(phone)
    phone.goto(server + "/melden")
    choose_category(phone, "Graffiti / Vandalismus")
    expect(phone.get_by_label("Wie groß ist die Fläche? (freiwillig)")).to_be_visible()
