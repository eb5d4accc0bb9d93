"""The address search of the report form without JavaScript: "Suchen" shows the places found as
radio buttons and files nothing; the chosen place becomes the report's point."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from app.addresses.formats import read_csv
from app.addresses.importing import store
from app.extensions import db
from app.models import Report
from tests.factories import jpeg
from tests.helpers import counts, form_data, post_report, with_photos

# Fictional streets in Mitte (51.1705, 7.0845 is inside the demo city's Stadtteil Mitte).
ADDRESSES = """street,number,lat,lon,postcode
Teststraße,10,51.170300,7.084300,42651
Teststraße,12,51.170500,7.084500,42651
Teststraße,14,51.170700,7.084700,42651
Probeweg,3,51.171500,7.086000,42651
"""
HOUSE_12 = "51.170500,7.084500"


@pytest.fixture
def addresses(tmp_path: Path) -> None:
    path = tmp_path / "adressen.csv"
    path.write_text(ADDRESSES, encoding="utf-8")
    store(read_csv(path), "csv")
    db.session.commit()  # a savepoint of the test's transaction


def search(client, text: str, button: str = "address_search", **fields: object):
    data = form_data(lat="", lon="", address=text, **fields)
    data[button] = "1"
    return post_report(client, data)


def radios(page: str) -> dict[str, str]:
    """The places offered: radio value -> label text."""
    found = re.findall(
        r'<input[^>]*id="(address_choice-\d+)"[^>]*value="([^"]*)"[^>]*>\s*'
        r'<label for="\1">([^<]*)</label>',
        page,
    )
    return {value: label for _id, value, label in found}


def test_form_offers_the_search_without_javascript(client):
    page = client.get("/melden").get_data(as_text=True)
    assert ">Adresse oder Ort suchen<" in page
    assert re.search(r'<button type="submit" class="button" id="address-search"', page)
    assert ">Suchen</button>" in page
    # The first submit button (the one Enter presses) sends the report, not the search.
    first = re.search(r"<button[^>]*>", page[page.index('<form method="post" action="/melden"') :])
    assert first and 'name="enter"' in first.group(0) and 'tabindex="-1"' in first.group(0)


def test_search_shows_places_as_radio_buttons_and_files_nothing(client, addresses):
    response = search(client, "teststr 12", description="Gullydeckel klappert")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    found = radios(page)
    assert found[HOUSE_12] == "Teststraße 12, Mitte"
    assert next(iter(found)) == HOUSE_12  # the house asked for comes first
    assert f"<legend>{len(found)} Or" in page and " gefunden für „teststr 12“</legend>" in page
    assert ">Übernehmen</button>" in page
    # Everything typed stays, and the first place found has the focus.
    assert "Gullydeckel klappert" in page and 'value="teststr 12"' in page
    assert re.search(r'<input autofocus[^>]*id="address_choice-0"', page)
    assert counts() == (0, 0, 0)


def test_sending_with_a_place_chosen_files_the_report_there(client, addresses):
    response = post_report(client, form_data(lat="", lon="", address_choice=HOUSE_12))
    assert response.status_code == 302
    report = db.session.scalars(select(Report)).one()
    assert (round(report.lat, 6), round(report.lon, 6)) == (51.1705, 7.0845)
    assert report.address == "Teststraße 12"
    assert report.district.name == "Mitte"


def test_the_chosen_place_wins_over_old_coordinates(client, addresses):
    response = post_report(client, form_data(lat="51,2", lon="7,1", address_choice=HOUSE_12))
    assert response.status_code == 302
    report = db.session.scalars(select(Report)).one()
    assert report.address == "Teststraße 12"


def test_take_sets_the_coordinates_and_describes_the_place(client, addresses):
    response = search(client, "Teststraße 12", button="address_take", address_choice=HOUSE_12)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'value="51,170500"' in page and 'value="7,084500"' in page
    assert re.search(r'id="place"[^>]*autofocus[^>]*>Ort: Teststraße 12 \(ungefähr\)</p>', page)
    assert radios(page) == {}  # the choice is made: no list any more
    assert counts() == (0, 0, 0)
    # Sending now files the report at that place.
    data = form_data(lat="51,170500", lon="7,084500", address="Teststraße 12")
    assert post_report(client, data).status_code == 302
    assert db.session.scalars(select(Report)).one().address == "Teststraße 12"


def test_take_without_a_choice_asks_for_one(client, addresses):
    response = search(client, "Teststraße", button="address_take")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Bitte wählen Sie einen der gefundenen Orte aus." in page
    assert radios(page)  # offered again
    assert counts() == (0, 0, 0)


def test_place_line_after_a_validation_error(client, addresses):
    page = post_report(client, form_data(description="", lat="51,1705", lon="7,0845"))
    text = page.get_data(as_text=True)
    assert page.status_code == 422
    assert "Ort: Teststraße 12 (ungefähr)</p>" in text


def test_districts_are_found_without_addresses(client):
    page = search(client, "Gräfrath").get_data(as_text=True)
    assert "Gräfrath" in radios(page).values()


def test_no_result_says_so_beside_the_field(client, addresses):
    response = search(client, "Xylophonallee 99")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    message = re.search(r'<p class="error" id="address-error" tabindex="-1">([^<]*)</p>', page)
    assert message and "Zu „Xylophonallee 99“ wurde keine Adresse" in message.group(1)
    assert re.search(r'<input[^>]*aria-describedby="address-hint address-error"', page)
    assert re.search(r'<input[^>]*autofocus[^>]*id="address"', page)
    assert radios(page) == {}
    assert counts() == (0, 0, 0)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Teststraße " * 500, "höchstens 100 Zeichen"),
        ("Test\x00straße\x01 12", "ohne Steuerzeichen"),
        ("Test\r\nstraße", "ohne Steuerzeichen"),
        ("ab", "mindestens 3 Zeichen"),
        ("", "mindestens 3 Zeichen"),
    ],
)
def test_hostile_or_short_searches_get_a_clear_message(client, addresses, text, message):
    response = search(client, text)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    assert "\x00" not in page and "\x01" not in page
    echoed = re.search(r'<input[^>]*id="address"[^>]*value="([^"]*)"', page)
    assert echoed is None or len(echoed.group(1)) <= 100
    assert counts() == (0, 0, 0)


@pytest.mark.parametrize(
    "choice",
    ["51.17,7.08,1", "nan,inf", "91,7", "<script>", "51.1705", "1_0,7", "x" * 10_000],
)
def test_a_forged_choice_files_nothing(client, addresses, choice):
    for button in ({}, {"address_take": "1"}):
        data = form_data(lat="", lon="", address="Teststraße", address_choice=choice, **button)
        response = post_report(client, data)
        assert response.status_code == 422
        assert "Der gewählte Ort ist ungültig" in response.get_data(as_text=True)
    assert counts() == (0, 0, 0)


def test_enter_in_the_search_field_searches(client, addresses):
    # Enter presses the hidden first button: with a search typed and no place yet, it searches.
    response = post_report(client, form_data(lat="", lon="", address="Probeweg", enter="1"))
    assert response.status_code == 200
    assert "Probeweg, Mitte" in radios(response.get_data(as_text=True)).values()
    assert counts() == (0, 0, 0)
    # With a place given, Enter sends the report, as it always did.
    response = post_report(client, form_data(address="Probeweg", enter="1"))
    assert response.status_code == 302


def test_photos_chosen_before_a_search_must_be_chosen_again(client, addresses, uploads):
    data = with_photos(form_data(lat="", lon="", address="Teststraße", address_search="1"), jpeg())
    page = post_report(client, data).get_data(as_text=True)
    assert "Ihre Fotos wurden bei der Suche nicht übernommen" in page
    assert 'id="photos-again"' in page
    assert list(uploads.iterdir()) == []
    assert counts() == (0, 0, 0)


def test_staff_intake_searches_too(client, addresses, login_as, staff):
    login_as("dispatcher")
    data = form_data(lat="", lon="", address="Teststraße 12", channel="", address_search="1")
    response = client.post("/staff/erfassen", data=data)
    assert response.status_code == 200
    assert radios(response.get_data(as_text=True))[HOUSE_12] == "Teststraße 12, Mitte"
    assert counts() == (0, 0, 0)
    data = form_data(lat="", lon="", channel="phone", address_choice=HOUSE_12)
    assert client.post("/staff/erfassen", data=data).status_code == 302
    assert db.session.scalars(select(Report)).one().address == "Teststraße 12"
