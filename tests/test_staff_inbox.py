"""The inbox's rows say enough to triage from the list: photo, text, place, age, and a hint at
a possible duplicate; the navigation counts what waits in each queue."""

from __future__ import annotations

from datetime import timedelta

from tests.factories import MITTE, jpeg


def test_rows_show_thumbnail_snippet_place_age_and_possible_duplicates(
    client, make_report, login_as
):
    first = make_report(
        description="Laterne dunkel " + "x" * 300,
        photos=[jpeg()],
        age=timedelta(days=3),
        published=False,
    )
    near = make_report(at=(MITTE[0] + 0.0002, MITTE[1]), published=False)  # about 22 m away
    far = make_report(code="muell", at=(MITTE[0] + 0.01, MITTE[1]), published=False)
    login_as("dispatcher")
    page = client.get("/staff/eingang").get_data(as_text=True)
    listed = page.split('<ol class="report-list inbox-rows"', 1)[1]  # after the map's data
    rows = {
        case: listed.split(case, 1)[1].split("</li>", 1)[0]
        for case in (first.case_number, near.case_number, far.case_number)
    }
    assert f"/staff/meldungen/{first.case_number}/fotos/" in page
    assert "vor 3 Tagen" in rows[first.case_number]
    assert "Laterne dunkel xxx" in rows[first.case_number] and "x" * 200 not in page
    assert "mögliches Duplikat" in rows[first.case_number]
    assert "mögliches Duplikat" in rows[near.case_number]
    assert "mögliches Duplikat" not in rows[far.case_number]


def test_the_navigation_counts_the_waiting_reports(client, make_report, login_as):
    for _ in range(3):
        make_report(published=False)
    make_report(published=True)
    login_as("dispatcher")
    page = client.get("/staff/eingang").get_data(as_text=True)
    assert 'Eingang <span class="count">3</span>' in page
    assert 'Warteschlange <span class="count">4</span>' in page
    assert "Offene Meldungen aller Abteilungen" in client.get("/staff/warteschlange").get_data(
        as_text=True
    )


def test_a_crew_counts_only_its_departments_queue(client, make_report, login_as):
    make_report()  # street lighting
    make_report(code="gruen")
    login_as("crew_light")
    page = client.get("/staff/warteschlange").get_data(as_text=True)
    assert 'Warteschlange <span class="count">1</span>' in page
    assert "Offene Meldungen meiner Abteilung" in page and ">Eingang" not in page
