"""The report list: same filters as the map, newest first, pages that follow each other."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text

from app.extensions import db


@pytest.fixture
def reports(app):
    result = app.test_cli_runner().invoke(args=["demo", "generate", "--count", "120"])
    assert result.exit_code == 0, result.output


def case_numbers(page: str) -> list[str]:
    return re.findall(r'href="/meldungen/(\d{4}-\d+)"', page)


def newest_first(where: str = "true") -> list[str]:
    return list(
        db.session.scalars(
            text(f"SELECT case_number FROM reports WHERE {where} ORDER BY created_at DESC, id DESC")
        )
    )


def test_pages_walk_through_all_reports_newest_first(client, reports):
    seen: list[str] = []
    url = "/meldungen?status=all"
    while url:
        page = client.get(url).get_data(as_text=True)
        seen += case_numbers(page)
        more = re.search(r'href="(/meldungen\?[^"]*vor=\d+[^"]*)" rel="next"', page)
        url = more.group(1).replace("&amp;", "&") if more else None
    assert seen == newest_first()


def test_filters_narrow_the_list_and_survive_paging(client, reports):
    page = client.get("/meldungen?status=open&category=strasse").get_data(as_text=True)
    expected = newest_first(
        "status IN ('received', 'accepted', 'in_progress') "
        "AND category_id = (SELECT id FROM categories WHERE code = 'strasse')"
    )
    assert case_numbers(page) == expected[:25]
    assert 'value="strasse" selected' in page


def test_period_filter_uses_the_city_time_zone(client, reports):
    page = client.get("/meldungen?since=2024-01-01&until=2024-06-30&status=all").get_data(
        as_text=True
    )
    expected = newest_first(
        "created_at >= '2024-01-01 00:00 Europe/Berlin' "
        "AND created_at < '2024-07-01 00:00 Europe/Berlin'"
    )
    assert case_numbers(page) == expected[:25]


@pytest.mark.parametrize(
    "query",
    ["status=kaputt", "category=%3Cscript%3E", "since=31.12.2024", "district=x", "vor=abc"],
)
def test_bad_filters_get_a_clear_message(client, reports, query):
    response = client.get(f"/meldungen?{query}")
    page = response.get_data(as_text=True)
    if query == "vor=abc":
        assert response.status_code == 200  # an unusable cursor starts at the newest
        return
    assert response.status_code == 400
    assert "<script>" not in page
    assert re.search(r"Unbekannt|Ungültig|Datum", page)


@pytest.mark.parametrize(
    "cursor",
    [
        "vor=%C2%B2",  # "²": a digit to Python, not to int()
        "sortierung=unterstuetzung&vor=1&stimmen=99999999999",  # beyond the integer column
        "sortierung=unterstuetzung&vor=1&stimmen=%C2%B2",
        "vor=99999999999999999999",
    ],
)
def test_unusable_page_cursors_are_no_error(client, reports, cursor):
    """Ignored (a count beyond the column: today's count is used); never a 500."""
    response = client.get(f"/meldungen?{cursor}")
    assert response.status_code == 200
    if "vor=1&" not in cursor:  # nothing usable: the first page
        assert case_numbers(response.get_data(as_text=True))


def test_list_shows_no_personal_data(client, make_report):
    make_report(reporter_name="Hiltrud Zwiebelmeier", reporter_email="hz99@example.org")
    page = client.get("/meldungen").get_data(as_text=True)
    assert "Zwiebelmeier" not in page and "hz99" not in page
    assert len(case_numbers(page)) == 1


def test_list_links_to_the_feed_and_exports_of_its_selection(client, reports):
    page = client.get("/meldungen?district=3").get_data(as_text=True)
    assert 'href="/feeds/meldungen.atom?status=current&amp;district=3"' in page
    assert 'href="/export/meldungen.csv?status=current&amp;district=3"' in page
    assert 'type="application/atom+xml"' in page
