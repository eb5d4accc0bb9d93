"""The department queue on a phone: filtered by status, district and category, with a map of
the listed reports."""

from __future__ import annotations

import html
import json
import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Report
from tests.fixtures.staff import act

GRAEFRATH = {"lat": "51.2035", "lon": "7.0818"}


@pytest.fixture
def second(make_report, case) -> str:
    at = (float(GRAEFRATH["lat"]), float(GRAEFRATH["lon"]))
    return make_report(description="zweite", at=at).case_number


def listed(client, query: str = "") -> list[str]:
    page = client.get(f"/staff/warteschlange?{query}").get_data(as_text=True)
    return re.findall(r"<strong>(\d{4}-\d+)</strong>", page)


def test_queue_filters_by_status_district_and_category(client, case, second, login_as):
    login_as("dispatcher")
    act(client, second, "status", status="in_progress", visibility="internal")
    assert set(listed(client)) == {case, second}
    assert listed(client, "status=in_progress") == [second]
    assert listed(client, "status=received") == [case]
    graefrath = db.session.scalar(select(Report).where(Report.case_number == second)).district
    assert listed(client, f"district={graefrath.code}") == [second]
    assert listed(client, "category=licht&status=received") == [case]
    assert listed(client, "category=muell") == []


@pytest.mark.parametrize(
    "query", ["status=resolved", "district=99", "category=<script>", "status=" + "x" * 5000]
)
def test_unknown_filter_values_are_named_and_ignored(client, case, query, login_as):
    login_as("dispatcher")
    response = client.get(f"/staff/warteschlange?{query}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Unbekannter Filterwert wird ignoriert" in page
    assert case in page and "<script>" not in page


def test_the_queue_map_shows_exactly_the_listed_reports(client, case, second, login_as):
    login_as("dispatcher")
    page = client.get("/staff/warteschlange?district=5").get_data(as_text=True)
    found = re.search(r'data-points="([^"]*)"', page)
    points = json.loads(html.unescape(found.group(1)))
    assert [p["url"] for p in points] == [f"/staff/meldungen/{second}"]
    assert points[0]["lat"] == pytest.approx(float(GRAEFRATH["lat"]))
    assert 'href="#report-list"' in page  # the map can be skipped: the list is the same


def test_crew_filters_only_within_their_departments(client, case, second, login_as):
    login_as("crew_parks")
    assert listed(client, "category=licht") == []
