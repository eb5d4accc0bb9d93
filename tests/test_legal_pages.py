"""The pages the law asks for — Impressum, Datenschutz, Erklärung zur Barrierefreiheit — are
linked from every page, have a sensible default, and take the city's own text."""

from __future__ import annotations

import pytest

LEGAL = {
    "impressum": "/impressum",
    "datenschutz": "/datenschutz",
    "barrierefreiheit": "/barrierefreiheit",
}


@pytest.mark.parametrize(
    "page", ["/", "/melden", "/meldungen", "/transparenz", "/anmelden", "/ueber", "/gibt-es-nicht"]
)
def test_every_page_links_the_legal_pages(client, page):
    body = client.get(page).get_data(as_text=True)
    for url in LEGAL.values():
        assert f'href="{url}"' in body, (page, url)


def test_the_accessibility_statement_names_a_feedback_contact(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "ACCESSIBILITY_CONTACT", "barrieren@stadt.example")
    body = client.get("/barrierefreiheit").get_data(as_text=True)
    assert 'href="mailto:barrieren@stadt.example"' in body
    assert "Schlichtungsverfahren" in body


@pytest.mark.parametrize("name", sorted(LEGAL))
def test_the_citys_own_text_replaces_the_default(client, app, monkeypatch, tmp_path, name):
    (tmp_path / f"{name}.html").write_text("<p>Stadt Musterstadt, Rathausplatz 1</p>", "utf-8")
    monkeypatch.setitem(app.config, "LEGAL_TEXT_DIR", str(tmp_path))
    body = client.get(LEGAL[name]).get_data(as_text=True)
    assert "<p>Stadt Musterstadt, Rathausplatz 1</p>" in body
    assert "Stadt Solingen (Demo)" not in body.split("<main", 1)[-1].split("</main>")[0]
