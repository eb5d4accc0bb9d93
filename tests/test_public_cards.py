"""The phone-first public pages: the default "current" filter (open and recently resolved),
the cards of map and list (place, age, thumbnail, short public text) and the header's search
by case number."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from app.extensions import db
from app.models import Photo, Status
from app.public.cards import shorten
from tests.factories import MITTE, jpeg
from tests.helpers import MAP_CARD_KEYS

LAT, LON = MITTE
NEAR = f"{LON - 0.0005},{LAT - 0.0003},{LON + 0.0005},{LAT + 0.0003}"
CITY = "6.9,51.1,7.2,51.25"


def case_numbers(page: str) -> list[str]:
    return re.findall(r'href="/meldungen/(\d{4}-\d+)"', page)


def singles(client, **params: str) -> dict[str, dict]:
    response = client.get("/api/v1/map", query_string={"bbox": NEAR, "zoom": "19", **params})
    assert response.status_code == 200, response.json
    return {
        f["properties"]["id"]: f["properties"]
        for f in response.json["features"]
        if not f["properties"].get("cluster")
    }


def count(client, **params: str) -> int:
    features = [
        f
        for zoom, bbox in (("12", CITY), ("16", NEAR), ("19", NEAR))
        for f in [
            client.get("/api/v1/map", query_string={"bbox": bbox, "zoom": zoom, **params}).json
        ]
        for f in f["features"]
    ]
    return sum(f["properties"].get("count", 1) for f in features)


@pytest.fixture
def mix(make_report):
    """Open, resolved 10 days ago, resolved 40 days ago, closed otherwise: by case number."""

    def spot(i: int) -> tuple[float, float]:  # apart enough for a cell of its own at zoom 19
        return (LAT, LON - 0.0003 + 0.0002 * i)

    return {
        "open": make_report(at=spot(0), age=timedelta(days=400)).case_number,
        "fresh": make_report(
            at=spot(1), age=timedelta(days=10, hours=2), status=Status.RESOLVED
        ).case_number,
        "old": make_report(
            at=spot(2), age=timedelta(days=40, hours=2), status=Status.RESOLVED
        ).case_number,
        "refused": make_report(
            at=spot(3), age=timedelta(days=2), status=Status.WONT_FIX
        ).case_number,
    }


# --- the default filter -------------------------------------------------------------------


def test_list_shows_open_and_recently_resolved_by_default(client, mix):
    page = client.get("/meldungen").get_data(as_text=True)
    assert set(case_numbers(page)) == {mix["open"], mix["fresh"]}
    assert '<option value="current" selected>' in page
    assert 'class="filter-count"' not in page  # the default is no active filter
    # The links of the page keep the default (shareable, explicit).
    assert 'href="/feeds/meldungen.atom?status=current"' in page


def test_open_is_a_choice_of_its_own(client, mix):
    page = client.get("/meldungen?status=open").get_data(as_text=True)
    assert set(case_numbers(page)) == {mix["open"]}
    assert '<option value="open" selected>' in page
    assert "(1 aktiv)" in page


def test_all_is_a_choice_of_its_own(client, mix):
    page = client.get("/meldungen?status=all").get_data(as_text=True)
    assert set(case_numbers(page)) == set(mix.values())
    assert '<option value="all" selected>' in page
    assert 'href="/export/meldungen.csv?status=all"' in page


def test_resolved_means_all_resolved_even_with_current(client, mix):
    page = client.get("/meldungen?status=current,resolved").get_data(as_text=True)
    assert set(case_numbers(page)) == {mix["open"], mix["fresh"], mix["old"]}


def test_the_map_counts_the_same_reports(client, mix):
    assert count(client, status="current") == 3 * 2  # three zooms, two reports
    assert count(client, status="all") == 3 * 4
    assert count(client) == 3 * 4  # the API itself keeps "no status" as everything
    assert count(client, status="current", category="licht") == 3 * 2
    assert count(client, status="current", since="2000-01-01") == 3 * 2
    assert set(singles(client, status="current")) == {mix["open"], mix["fresh"]}


def test_a_resolution_31_days_ago_is_no_longer_current(client, mix):
    # Resolved 31 days ago, with a public note today: the resolution counts, not the change.
    db.session.execute(
        text(
            "UPDATE reports SET closed_at = now() - interval '31 days', updated_at = now() "
            "WHERE case_number = :c"
        ),
        {"c": mix["fresh"]},
    )
    db.session.commit()
    assert count(client, status="current") == 3 * 1
    assert set(case_numbers(client.get("/meldungen").get_data(as_text=True))) == {mix["open"]}


def test_the_start_page_reads_a_shared_filter(client, mix):
    page = client.get("/?status=all&category=licht").get_data(as_text=True)
    assert '<option value="all" selected>' in page
    assert 'value="licht" selected' in page
    assert '<option value="current" selected>' in client.get("/").get_data(as_text=True)


# --- map cards ----------------------------------------------------------------------------


def test_a_single_report_carries_its_card_and_nothing_personal(client, make_report):
    long_text = "Die Laterne vor dem Haus ist seit Wochen dunkel. " * 6
    report = make_report(
        at=(LAT, LON),
        published=True,
        description=long_text,
        photos=[jpeg()],
        reporter_name="Hiltrud Zwiebelmeier",
        reporter_email="hz99@example.org",
        reporter_phone="0212 999999",
    )
    db.session.execute(
        text("UPDATE reports SET address = 'Kölner Straße 5' WHERE id = :id"), {"id": report.id}
    )
    db.session.commit()
    props = singles(client)[report.case_number]
    assert set(props) == MAP_CARD_KEYS
    assert props["supports"] == 0
    assert props["place"] == "Kölner Straße 5"
    assert props["created"].startswith(report.created_at.date().isoformat()[:4])
    assert props["text"].endswith("…") and len(props["text"]) <= 120
    assert long_text.startswith(props["text"][:-1])
    thumbnail = db.session.scalar(select(Photo.thumbnail).where(Photo.report_id == report.id))
    assert props["thumb"] == f"/fotos/{thumbnail}"
    assert client.get(props["thumb"]).status_code == 200
    body = client.get("/api/v1/map", query_string={"bbox": NEAR, "zoom": "19"}).get_data(
        as_text=True
    )
    for personal in ("Zwiebelmeier", "hz99", "999999"):
        assert personal not in body


def test_text_and_photos_only_once_published(client, make_report):
    report = make_report(at=(LAT, LON), published=False, description="Geheim?", photos=[jpeg()])
    props = singles(client)[report.case_number]
    assert props["text"] is None and props["thumb"] is None
    assert "Geheim" not in client.get("/meldungen").get_data(as_text=True)


def test_hidden_photos_never_show(client, make_report):
    report = make_report(at=(LAT, LON), published=True, photos=[jpeg(), jpeg((300, 200))])
    photos = db.session.scalars(select(Photo).where(Photo.report_id == report.id)).all()
    photos[0].hidden = True
    db.session.commit()
    props = singles(client)[report.case_number]
    assert props["thumb"] == f"/fotos/{photos[1].thumbnail}"
    photos[1].hidden = True
    db.session.commit()
    assert singles(client)[report.case_number]["thumb"] is None
    page = client.get("/meldungen").get_data(as_text=True)
    assert photos[0].thumbnail not in page and photos[1].thumbnail not in page


def test_shorten_cuts_at_a_word():
    assert shorten(None) is None
    assert shorten("kurz\n\nund  gut") == "kurz und gut"
    cut = shorten("wort " * 60)
    assert cut is not None and len(cut) <= 120 and cut.endswith("wort…")


# --- list rows ----------------------------------------------------------------------------


def test_list_rows_show_thumbnail_place_age_and_text(client, make_report):
    report = make_report(
        at=(LAT, LON),
        published=True,
        description="Tiefes Schlagloch am Bordstein.",
        photos=[jpeg()],
        age=timedelta(days=3, hours=1),
    )
    db.session.execute(
        text("UPDATE reports SET address = 'Kölner Straße 5' WHERE id = :id"), {"id": report.id}
    )
    db.session.commit()
    page = client.get("/meldungen").get_data(as_text=True)
    thumbnail = db.session.scalar(select(Photo.thumbnail).where(Photo.report_id == report.id))
    assert f'<img class="thumb" src="/fotos/{thumbnail}" alt=""' in page
    assert "Kölner Straße 5, " in page
    assert "Tiefes Schlagloch am Bordstein." in page
    assert re.search(r'<time datetime="[^"]+" title="[^"]+">vor 3 Tagen</time>', page)


# --- the case number search ---------------------------------------------------------------


def test_a_known_number_leads_to_its_page(client, make_report):
    case = make_report().case_number
    for typed in (case, f" {case} ", case.replace("-", " "), case.replace("-0", "-", 1)):
        response = client.get("/meldungen/suche", query_string={"nummer": typed})
        assert response.status_code == 303, typed
        assert response.headers["Location"] == f"/meldungen/{case}"


def test_an_unknown_number_gets_the_list_and_a_message(client, make_report):
    make_report()
    response = client.get("/meldungen/suche?nummer=1999-999999")
    page = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "Keine Meldung mit der Vorgangsnummer 1999-999999 gefunden" in page
    assert 'role="alert"' in page and "<h1>Meldungen</h1>" in page


def test_a_rejected_report_is_unknown(client, make_report):
    report = make_report()
    case = report.case_number
    db.session.execute(text("DELETE FROM reports WHERE id = :id"), {"id": report.id})
    db.session.commit()
    assert client.get(f"/meldungen/suche?nummer={case}").status_code == 404


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "abc",
        "<script>alert(1)</script>",
        "2026-",
        "2026-1234567890123",
        "' OR 1=1 --",
        "2026-00\x0012",
        "x" * 5000,
        "١٢٣٤-٥٦",
    ],
)
def test_malformed_input_gets_a_clear_message(client, typed):
    response = client.get("/meldungen/suche", query_string={"nummer": typed})
    page = response.get_data(as_text=True)
    assert response.status_code in (400, 404)
    assert "Vorgangsnummer" in page and 'role="alert"' in page
    assert "<script>alert" not in page
    assert "\x00" not in page


def test_every_page_has_the_search_in_its_header(client):
    for url in ("/", "/meldungen", "/transparenz", "/ueber"):
        page = client.get(url).get_data(as_text=True)
        assert 'action="/meldungen/suche"' in page, url
        assert '<label for="case-search">Vorgangsnummer</label>' in page
