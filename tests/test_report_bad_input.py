"""Bad, hostile and oversized input: a clear German message, and nothing stored."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.factories import WUPPERTAL, jpeg, png_bomb
from tests.helpers import counts, form_data, post_report, with_photos


def assert_refused(response, message: str, uploads, status: int = 422) -> None:
    page = response.get_data(as_text=True)
    assert response.status_code == status
    assert message in page
    assert counts() == (0, 0, 0)
    assert list(uploads.iterdir()) == []


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"category": None}, "Bitte eine Kategorie wählen."),
        ({"category": "abc"}, "Bitte eine Kategorie wählen."),
        ({"category": "999999"}, "Bitte eine Kategorie aus der Liste wählen."),
        ({"category": "3000000000"}, "Bitte eine Kategorie aus der Liste wählen."),
        ({"description": ""}, "Bitte beschreiben Sie den Mangel oder fügen Sie ein Foto bei."),
        ({"description": "   \n "}, "Bitte beschreiben Sie den Mangel"),
        ({"description": "x" * 2001}, "höchstens 2000 Zeichen"),
        ({"description": "kaputt\x00"}, "unzulässige Steuerzeichen"),
        ({"lat": None, "lon": None}, "Bitte einen Ort wählen"),
        ({"lat": None}, "Der Breitengrad fehlt."),
        ({"lon": ""}, "Der Längengrad fehlt."),
        ({"lat": "einundfünfzig"}, "Bitte eine Zahl eingeben"),
        ({"lat": "NaN"}, "endliche Zahl"),
        ({"lon": "inf"}, "endliche Zahl"),
        ({"lon": "-Infinity"}, "endliche Zahl"),
        ({"lat": "1e400"}, "endliche Zahl"),
        ({"lat": "91"}, "zwischen -90 und 90"),
        ({"lon": "-180.5"}, "zwischen -180 und 180"),
        ({"lat": str(WUPPERTAL[0]), "lon": str(WUPPERTAL[1])}, "außerhalb des Stadtgebiets"),
        ({"lat": "0", "lon": "0"}, "außerhalb des Stadtgebiets"),
        ({"email": "keine-adresse"}, "gültige E-Mail-Adresse"),
        ({"email": "a@b.de\r\nBcc: x@y.de", "consent": "y"}, "gültige E-Mail-Adresse"),
        ({"phone": "<script>", "consent": "y"}, "gültige Telefonnummer"),
        ({"name": "Erika"}, "Bitte stimmen Sie der Speicherung zu"),
        ({"name": "N" * 201, "consent": "y"}, "Höchstens 200 Zeichen."),
    ],
)
def test_invalid_fields_are_refused(client, uploads, overrides, message):
    response = post_report(client, form_data(**overrides))
    assert_refused(response, message, uploads)
    assert "Bitte prüfen Sie Ihre Angaben" in response.get_data(as_text=True)


def test_exactly_2000_characters_are_accepted(client):
    response = post_report(client, form_data(description="x" * 2000))
    assert response.status_code == 302
    assert counts()[0] == 1


def test_german_decimal_comma_is_accepted(client):
    response = post_report(client, form_data(lat="51,1705", lon="7,0845"))
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("photo", "name", "message"),
    [
        (b"Das ist kein Bild, nur Text.\n" * 20, "foto.jpg", "kein unterstütztes Bild"),
        (jpeg()[:-2000], "halb.jpg", "beschädigt oder unvollständig"),
        (png_bomb(), "bombe.png", "zu viele Bildpunkte"),
        (b"GIF89a" + b"\x00" * 100, "bild.gif", "kein unterstütztes Bild"),
        (b"", "leer.jpg", "Die Datei ist leer"),
    ],
)
def test_bad_photos_are_refused(client, uploads, photo, name, message):
    response = post_report(client, with_photos(form_data(), jpeg(), photo, name=name))
    assert_refused(response, message, uploads)
    assert name in response.get_data(as_text=True)


def test_an_empty_file_input_means_no_photo(client):
    # Browsers send an empty part without a file name when no photo was chosen.
    response = post_report(client, with_photos(form_data(), b"", name=""))
    assert response.status_code == 302
    assert counts() == (1, 0, 1)


def test_a_sixth_photo_is_refused(client, uploads):
    response = post_report(client, with_photos(form_data(), *[jpeg((50, 50))] * 6))
    assert_refused(response, "Höchstens 5 Fotos", uploads)


def test_photo_over_size_limit_is_refused(client, uploads, app, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_PHOTO_BYTES", 20_000)
    big = io.BytesIO()
    Image.effect_noise((400, 400), 80).convert("RGB").save(big, "PNG")
    response = post_report(client, with_photos(form_data(), big.getvalue(), name="gross.png"))
    assert_refused(response, "gross.png: Die Datei ist zu groß (höchstens 0,0190735 MB).", uploads)


def test_oversized_request_is_refused(client, uploads, app, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 100_000)
    response = post_report(client, with_photos(form_data(), b"\xff" * 200_000))
    assert_refused(response, "zu groß", uploads, status=413)


@pytest.mark.parametrize("url", ["/melden", "/melden/foto-standort"])
def test_missing_csrf_token_is_refused(client, uploads, app, monkeypatch, url):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    client.get("/melden")  # a session with a token exists; the post just lacks it
    response = client.post(url, data=with_photos(form_data(), jpeg()))
    assert_refused(response, "Sicherheitsmerkmal fehlt", uploads, status=400)


def test_form_with_csrf_token_goes_through(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    page = client.get("/melden").get_data(as_text=True)
    start = page.index('name="csrf_token"')
    token = page[
        page.index('value="', start) + 7 : page.index('"', page.index('value="', start) + 7)
    ]
    response = post_report(client, form_data(csrf_token=token))
    assert response.status_code == 302


def test_failure_after_photos_were_written_leaves_nothing(client, uploads, monkeypatch):
    """A crash late in the transaction removes the report, its events and its photo files."""
    from app.reports import service

    def broken_flush():
        raise RuntimeError("disk full")

    original = service.add_photo

    def add_photo_then_fail(report, photo, after=False):
        original(report, photo, after)
        monkeypatch.setattr(service.db.session, "flush", broken_flush)

    monkeypatch.setattr(service, "add_photo", add_photo_then_fail)
    with pytest.raises(RuntimeError):
        post_report(client, with_photos(form_data(), jpeg()))
    monkeypatch.undo()
    assert counts() == (0, 0, 0)
    assert list(uploads.iterdir()) == []


def test_submissions_are_rate_limited_per_client(client, app, monkeypatch):
    from app.extensions import limiter

    monkeypatch.setitem(app.config, "RATELIMIT_REPORTS", "2 per minute")
    limiter.reset()
    # Refused forms do not count: a citizen fixing a typo is not locked out.
    assert post_report(client, form_data(description="")).status_code == 422
    statuses = [post_report(client, form_data()).status_code for _ in range(3)]
    assert statuses == [302, 302, 429]
    page = post_report(client, form_data()).get_data(as_text=True)
    assert "Zu viele Meldungen" in page
    assert counts()[0] == 2
    other = post_report(client, form_data(), environ_base={"REMOTE_ADDR": "10.9.8.7"})
    assert other.status_code == 302
