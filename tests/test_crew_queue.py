"""The crew's queue on a phone: every row with distance (when a position is known), priority,
place, the start of the text and a thumbnail; and the way to a job from its page."""

from __future__ import annotations

import html
import re

import pytest

from app.staff.crew import WayTo, distance_text
from tests.factories import jpeg
from tests.fixtures.staff import act

GRAEFRATH = (51.2035, 7.0818)
# About 120 m north of MITTE.
NEAR_MITTE = (51.1716, 7.0845)


def rows(page: str) -> list[str]:
    return re.findall(r'<li class="report-row".*?</li>', page, re.S)


def case_of(row: str) -> str:
    return re.search(r"<strong>(\d{4}-\d+)</strong>", row).group(1)


def distance_of(row: str) -> str:
    return html.unescape(
        re.search(r"<span class=\"distance\" data-distance>(.*?)</span>", row).group(1)
    )


@pytest.fixture
def two(make_report, staff) -> tuple[str, str]:
    """A street light report in Mitte (with a photo, urgent) and one in Gräfrath."""
    mitte = make_report(
        description="Die Laterne vor dem Rathaus flackert seit Tagen und geht dann ganz aus, "
        "besonders abends, wenn viele Leute unterwegs sind und es früh dunkel wird.",
        photos=[jpeg()],
    )
    mitte.priority = 2
    graefrath = make_report(description="Laterne aus", at=GRAEFRATH)
    from app.extensions import db

    db.session.commit()
    return mitte.case_number, graefrath.case_number


@pytest.mark.parametrize(
    ("metres", "shown"),
    [
        (0, "unter 10 m"),
        (9.9, "unter 10 m"),
        (344, "340 m"),
        (994, "990 m"),
        (995, "1,0 km"),
        (1234, "1,2 km"),
        (4049, "4,0 km"),
        (99_949, "99,9 km"),
        (123_456, "123 km"),
    ],
)
def test_distances_read_as_a_crew_reads_them(metres, shown):
    assert distance_text(metres) == shown


def test_nearest_first_with_a_distance_in_every_row(client, two, login_as):
    mitte, graefrath = two
    login_as("crew_light")
    page = client.get(
        f"/staff/warteschlange?sortierung=naehe&lat={GRAEFRATH[0]}&lon={GRAEFRATH[1]}"
    ).get_data(as_text=True)
    listed = rows(page)
    assert [case_of(r) for r in listed] == [graefrath, mitte]
    assert distance_of(listed[0]) == "unter 10 m"
    assert distance_of(listed[1]) == "3,7 km"
    here = f'data-lat="{GRAEFRATH[0]:.6f}" data-lon="{GRAEFRATH[1]:.6f}"'
    assert here in page  # the position the list is sorted for, for the page's script


def test_german_decimal_commas_work_too(client, two, login_as):
    mitte, _graefrath = two
    login_as("crew_light")
    page = client.get("/staff/warteschlange?sortierung=naehe&lat=51,1716&lon=7,0845")
    listed = rows(page.get_data(as_text=True))
    assert case_of(listed[0]) == mitte and distance_of(listed[0]) == "120 m"


def test_rows_show_priority_place_text_and_thumbnail(client, two, login_as):
    mitte, graefrath = two
    login_as("crew_light")
    page = client.get("/staff/warteschlange").get_data(as_text=True)
    by_case = {case_of(r): r for r in rows(page)}
    urgent = by_case[mitte]
    assert "Priorität: </span>dringend" in urgent
    assert "Die Laterne vor dem Rathaus flackert" in urgent and "…" in urgent  # cut short
    assert "Mitte" in urgent
    assert re.search(rf'<img class="thumb" src="/staff/meldungen/{mitte}/fotos/[^"]+"', urgent)
    thumb = re.search(r'<img class="thumb" src="([^"]+)"', urgent).group(1)
    assert client.get(thumb).status_code == 200
    plain = by_case[graefrath]
    assert "Priorität" not in plain and "thumb-none" in plain and "Laterne aus" in plain
    assert distance_of(plain) == ""  # no position asked for: no distance
    assert f'data-lat="{GRAEFRATH[0]:.6f}"' in plain


@pytest.mark.parametrize(
    "query",
    [
        "lat=NaN&lon=7.08",
        "lat=inf&lon=-inf",
        "lat=1e309&lon=7",
        "lat=²&lon=7",
        "lat=91&lon=7",
        "lat=51.17&lon=181",
        "lat=" + "5" * 5000 + "&lon=7",
        "lat=51.17",
        "lat=51.17&lon=7.08&lat=0",
    ],
)
def test_hostile_positions_give_a_queue_without_distances(client, two, query, login_as):
    login_as("crew_light")
    response = client.get(f"/staff/warteschlange?sortierung=naehe&{query}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    if "lat=51.17&lon=7.08&lat=0" not in query:
        assert "Für „Nähe“ wird Ihr Standort gebraucht." in page
        assert all(distance_of(r) == "" for r in rows(page))
    assert len(rows(page)) == 2


def test_a_nul_in_the_position_is_a_clear_german_error(client, two, login_as):
    login_as("crew_light")
    response = client.get("/staff/warteschlange?sortierung=naehe&lat=%00&lon=7")
    assert response.status_code == 400
    assert "unzulässiges Nullzeichen" in response.get_data(as_text=True)


def test_a_returned_job_is_marked_for_dispatchers_and_gone_for_the_crew(client, two, login_as):
    mitte, graefrath = two
    login_as("crew_light")
    act(client, mitte, "zurueck", reason="Ampel gemeint")
    assert [
        case_of(r) for r in rows(client.get("/staff/warteschlange").get_data(as_text=True))
    ] == [graefrath]
    client.post("/abmelden")
    login_as("dispatcher")
    by_case = {
        case_of(r): r for r in rows(client.get("/staff/warteschlange").get_data(as_text=True))
    }
    assert "bei der Leitstelle" in by_case[mitte] and "bei der Leitstelle" not in by_case[graefrath]


def test_the_way_to_a_job(client, two, login_as):
    mitte, _graefrath = two
    login_as("crew_light")
    page = client.get(f"/staff/meldungen/{mitte}").get_data(as_text=True)
    assert 'href="geo:51.170500,7.084500"' in page and "Navigation starten" in page
    route = html.unescape(re.search(r'href="([^"]+)" id="osm-route"', page).group(1))
    assert route == (
        "https://www.openstreetmap.org/directions?engine=fossgis_osrm_car"
        "&route=%3B51.170500%2C7.084500"
    )
    assert 'id="crew-map"' in page and 'data-lat="51.1705"' in page


def test_way_links_have_six_decimals_whatever_the_float():
    way = WayTo(51.1, 7.123456789)
    assert way.geo_uri == "geo:51.100000,7.123457"
    assert way.osm_directions.endswith("route=%3B51.100000%2C7.123457")
