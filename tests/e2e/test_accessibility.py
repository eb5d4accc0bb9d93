"""axe-core (from npm) checks every page type on a phone in German: no violation of WCAG 2.1 A or
AA with impact serious or critical. Focus, status badges and skip links are checked by hand."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from app.models.status import Status
from tests.e2e.conftest import PHONE, ROOT, choose_category, login, new_context, open_coordinates

AXE = Path(ROOT, "node_modules", "axe-core", "axe.min.js").read_text(encoding="utf-8")
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
DISPATCHER, CREW, ADMIN = "poststelle@example.org", "licht@example.org", "admin@example.org"


def assert_accessible(page: Page) -> None:
    """Runs axe on the page as it is now; fails on any serious or critical violation."""
    page.wait_for_load_state("networkidle")
    # Without JavaScript (the page keeps its "no-js" class) the map stays empty.
    if page.locator("#map").count() and not page.locator("html.no-js").count():
        expect(page.locator("#map .leaflet-tile-loaded").first).to_be_attached()
    # Evaluated through the DevTools protocol, which the page's CSP does not restrict.
    page.evaluate(AXE)
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        WCAG_21_AA,
    )
    grave = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert grave == [], f"axe on {page.url}:\n" + "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']}\n    "
        + "\n    ".join(f"{n['target']}: {n['failureSummary']}" for n in v["nodes"])
        for v in grave
    )


def file_report(page: Page, server: str, description: str, jpeg: bytes | None = None) -> str:
    """Files a report with a photo (`jpeg`, or a plain blue one) through the form, the place
    typed in; returns its case number."""
    page.goto(server + "/melden")
    open_coordinates(page)
    page.get_by_label("Breitengrad").fill("51,1705")
    page.get_by_label("Längengrad").fill("7,0845")
    choose_category(page, "Straßenbeleuchtung defekt")
    page.get_by_label("Beschreibung").fill(description)
    photo = io.BytesIO()
    Image.new("RGB", (800, 600), (90, 120, 160)).save(photo, "JPEG")
    page.get_by_label("Fotos").set_input_files(
        {"name": "laterne.jpg", "mimeType": "image/jpeg", "buffer": jpeg or photo.getvalue()}
    )
    page.get_by_role("button", name="Meldung absenden").click()
    expect(page.get_by_role("heading", name="Vielen Dank für Ihre Meldung!")).to_be_visible()
    return page.locator(".case-number").inner_text()


@pytest.fixture(scope="module")
def filed(browser, server) -> dict[str, str]:
    """One report filed through the form: its case number and private tracking link."""
    context = new_context(browser, server, **PHONE)
    page = context.new_page()
    case = file_report(page, server, "Die Laterne an der Ecke ist dunkel.")
    tracking = page.locator(".tracking-link a").get_attribute("href")
    context.close()
    return {"case": case, "tracking": tracking}


@pytest.mark.parametrize(
    "path", ["/", "/melden", "/meldungen", "/transparenz", "/anmelden", "/ueber"]
)
def test_public_pages(phone: Page, server: str, path: str):
    phone.goto(server + path)
    assert_accessible(phone)


def test_form_with_errors(phone: Page, server: str):
    phone.goto(server + "/melden")
    phone.get_by_role("button", name="Meldung absenden").click()
    expect(phone.locator(".error-summary")).to_be_visible()
    # Each error sits next to its field, which points to it; the summary links to the field.
    description = phone.locator("#description")
    expect(description).to_have_attribute("aria-invalid", "true")
    expect(description).to_have_attribute("aria-describedby", "description-hint description-error")
    expect(phone.locator("#description-error")).to_be_visible()
    expect(phone.locator(".error-summary a[href='#description']")).to_be_visible()
    assert_accessible(phone)


def test_confirmation(phone: Page, server: str):
    file_report(phone, server, "Laterne flackert.")
    assert_accessible(phone)


def test_public_report_page(phone: Page, server: str, filed: dict[str, str]):
    phone.goto(f"{server}/meldungen/{filed['case']}")
    expect(phone.locator(".status")).to_have_text("Eingegangen")
    assert_accessible(phone)


def test_tracking_page(phone: Page, server: str, filed: dict[str, str]):
    phone.goto(filed["tracking"])
    assert_accessible(phone)


@pytest.mark.parametrize(
    "email, path",
    [
        (DISPATCHER, "/staff/eingang"),
        (DISPATCHER, "/staff/erfassen"),
        (DISPATCHER, "/staff/warteschlange"),
        (CREW, "/staff/warteschlange"),
        (ADMIN, "/admin/"),
        (ADMIN, "/admin/benutzer"),
        (ADMIN, "/admin/abteilungen"),
        (ADMIN, "/admin/kategorien"),
        (ADMIN, "/admin/zustaendigkeiten"),
        (ADMIN, "/admin/bezirke"),
        (ADMIN, "/admin/api-schluessel"),
        (ADMIN, "/admin/e-mails"),
    ],
)
def test_staff_pages(phone: Page, server: str, email: str, path: str):
    login(phone, server, email)
    phone.goto(server + path)
    assert_accessible(phone)


@pytest.mark.parametrize("email", [DISPATCHER, CREW])
def test_staff_report_detail(phone: Page, server: str, filed: dict[str, str], email: str):
    login(phone, server, email)
    phone.goto(f"{server}/staff/meldungen/{filed['case']}")
    # The dispatcher's page has the form for forwarding to another body (conftest adds one).
    forms = phone.locator("form[action$='/an-stelle']")
    expect(forms).to_have_count(1 if email == DISPATCHER else 0)
    assert_accessible(phone)


def test_share_consent_is_a_labelled_checkbox(phone: Page, server: str):
    phone.goto(server + "/melden")
    box = phone.get_by_role("checkbox", name=re.compile("an eine andere zuständige Stelle"))
    expect(box).not_to_be_checked()
    box.scroll_into_view_if_needed()
    phone.get_by_text("Meine Kontaktdaten dürfen mit der Meldung").click()  # the label ticks it
    expect(box).to_be_checked()
    assert_accessible(phone)


def skip_link_leads_past_the_map(page: Page) -> None:
    skip = page.locator(".skip-link-inline")
    expect(skip, page.url).to_have_count(1)
    target = page.locator(skip.get_attribute("href"))
    expect(target, page.url).to_have_count(1)
    order = page.evaluate(
        """() => {
            const skip = document.querySelector(".skip-link-inline");
            const map = document.getElementById("map");
            const target = document.querySelector(skip.getAttribute("href"));
            const follows = Node.DOCUMENT_POSITION_FOLLOWING;
            const after = (a, b) => !!(a.compareDocumentPosition(b) & follows);
            return [after(skip, map), after(map, target)];
        }"""
    )
    assert order == [True, True], f"the skip link does not lead past the map on {page.url}"


def test_every_map_has_a_skip_link_before_it(phone: Page, server: str, filed: dict[str, str]):
    for url in ["/", "/melden", f"/meldungen/{filed['case']}", filed["tracking"]]:
        phone.goto(url if url.startswith("http") else server + url)
        skip_link_leads_past_the_map(phone)
    login(phone, server, DISPATCHER)
    for url in ["/staff/eingang", "/staff/warteschlange"]:
        phone.goto(server + url)
        skip_link_leads_past_the_map(phone)


def focus_walk(page: Page, steps: int) -> list[dict]:
    """Presses Tab `steps` times; what got the focus each time, and how its focus is drawn."""
    walk = []
    for _ in range(steps):
        page.keyboard.press("Tab")
        walk.append(
            page.evaluate(
                """() => { const e = document.activeElement, s = getComputedStyle(e);
                    return {id: e.id, tag: e.tagName, text: (e.innerText || "").trim(),
                            outline: s.outlineStyle, width: parseFloat(s.outlineWidth)}; }"""
            )
        )
    return walk


def test_focus_is_visible_and_in_a_sensible_order(phone: Page, server: str):
    phone.goto(server + "/melden")
    expect(phone.locator("#map .leaflet-tile-loaded").first).to_be_attached()
    walk = [step for step in focus_walk(phone, 40) if step["tag"] != "BODY"]
    invisible = [step for step in walk if step["outline"] == "none" or step["width"] < 2]
    assert invisible == []
    names = [step["id"] or step["text"] for step in walk]
    expected = [
        "Zum Inhalt springen",
        "Mangel melden",
        "Karte überspringen und Koordinaten eingeben",
        "map",
        "use-location",
        "Koordinaten eingeben",  # the coordinate fields fold away when the map works
        "category",
        "description",
        "photos",
        "name",
        "email",
        "phone",
        "consent",
        "Datenschutzhinweise",
        "Meldung absenden",
    ]
    positions = [names.index(name) for name in expected]
    assert positions == sorted(positions), names


def test_status_badges_have_text_and_contrast(phone: Page, server: str):
    phone.goto(server + "/meldungen")
    badges = phone.locator(".report-list .status")
    assert badges.count() > 0
    for text in badges.all_inner_texts():
        assert text.strip(), "a status badge without a text label"
    # Every status colour, whether or not the demo city has a report in that status.
    phone.evaluate(
        """(statuses) => {
            const box = document.createElement("p");
            box.id = "all-statuses";
            for (const s of statuses) {
                const badge = document.createElement("span");
                badge.className = "status status-" + s;
                badge.textContent = s;
                box.append(badge);
            }
            document.querySelector("main").append(box);
        }""",
        [s.value for s in Status],
    )
    phone.evaluate(AXE)
    result = phone.evaluate(
        "async () => await axe.run('#all-statuses', {runOnly: ['color-contrast']})"
    )
    assert result["violations"] == [], result["violations"]
    assert len(result["passes"][0]["nodes"]) == len(Status)
