"""Routing in PostGIS: the district covering the point, and the department responsible there."""

from __future__ import annotations

import json
import re
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from shapely.geometry import shape
from sqlalchemy import select, text

from app.demo import data
from app.extensions import db
from app.models import Category, District, Report, TimelineEvent
from app.reports.service import NewReport, ReportRefused, file_report
from tests.factories import GEO, WUPPERTAL, demo_districts, inside_point
from tests.helpers import category_id, counts

KOELN_STADTTEILE = GEO / "koeln-stadtteile.geojson"
DEFAULT_DEPARTMENT = {code: department for code, _, _, _, department in data.CATEGORIES}
RULES = {(category, district): department for category, district, department in data.ROUTING_RULES}


def file_at(lat: float, lon: float, category: str = "licht") -> Report:
    new = NewReport(category_id(category), "Hier ist etwas kaputt.", lat, lon)
    return file_report(new, photos=[]).report


def covering_codes(lat: float, lon: float) -> list[str]:
    return list(
        db.session.scalars(
            text(
                "SELECT code FROM districts "
                "WHERE ST_Covers(geom, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)) ORDER BY code"
            ),
            {"lat": lat, "lon": lon},
        )
    )


def shared_vertices() -> dict[tuple[float, float], list[str]]:
    """Exterior-ring vertices that appear, exactly equal, in more than one demo district."""
    owners: dict[tuple[float, float], set[str]] = {}
    for f in demo_districts():
        for lon, lat in f["geometry"]["coordinates"][0]:
            owners.setdefault((lat, lon), set()).add(f["properties"]["code"])
    return {point: sorted(codes) for point, codes in owners.items() if len(codes) > 1}


# --- the Solingen demo city ---------------------------------------------------------------------


def district_id(feature: dict) -> str:
    return f"{feature['properties']['code']}-{feature['properties']['name']}"


@pytest.mark.parametrize("district", demo_districts(), ids=district_id)
def test_point_inside_a_district_is_routed_there_with_default_department(district):
    code = district["properties"]["code"]
    lat, lon = inside_point(district)
    assert covering_codes(lat, lon) == [code]

    report = file_at(lat, lon, "licht")
    db.session.expire_all()  # read back what is stored, not the objects in memory
    report = db.session.get_one(Report, report.id)
    assert report.district.code == code
    assert report.district.name == district["properties"]["name"]
    assert report.department.code == "tbs-licht"
    assert report.department_id == report.category.default_department_id
    assert report.status == "received"
    first = db.session.scalars(
        select(TimelineEvent)
        .where(TimelineEvent.report_id == report.id)
        .order_by(TimelineEvent.created_at, TimelineEvent.id)
    ).first()
    assert first is not None
    assert first.kind == "status_change" and first.status == "received"


@pytest.mark.parametrize("district", demo_districts(), ids=district_id)
def test_every_category_goes_to_its_default_department_unless_a_rule_says_otherwise(district):
    code = district["properties"]["code"]
    lat, lon = inside_point(district)
    for category in db.session.scalars(select(Category).order_by(Category.code)):
        report = file_at(lat, lon, category.code)
        expected = RULES.get((category.code, code), DEFAULT_DEPARTMENT[category.code])
        assert (category.code, report.department.code) == (category.code, expected)


def test_routing_rule_sends_gruen_in_burg_hoehscheid_to_sd67():
    districts = {f["properties"]["code"]: f for f in demo_districts()}
    assert file_at(*inside_point(districts["4"]), "gruen").department.code == "sd67"
    assert file_at(*inside_point(districts["1"]), "gruen").department.code == "tbs-gruen"
    # The rule is for "gruen" only: another category in district 4 keeps its default.
    assert file_at(*inside_point(districts["4"]), "muell").department.code == "tbs-stadtbild"


def test_there_are_shared_vertices_to_test_borders_with():
    vertices = shared_vertices()
    assert any(len(codes) == 2 for codes in vertices.values())


@pytest.mark.parametrize(
    ("point", "codes"),
    sorted(shared_vertices().items()),
    ids=lambda value: "+".join(value) if isinstance(value, list) else None,
)
def test_point_on_a_shared_border_always_goes_to_the_lower_code(point, codes):
    lat, lon = point
    # PostGIS agrees that the vertex is covered by every district sharing it, and no other.
    assert covering_codes(lat, lon) == codes
    routed = [file_at(lat, lon).district.code for _ in range(3)]
    assert routed == [min(codes)] * 3


@pytest.mark.parametrize(
    ("lat", "lon"),
    [WUPPERTAL, (51.1930, 7.0130), (0.0, 0.0)],
    ids=["wuppertal-hbf", "haan", "null-island"],
)
def test_point_outside_the_city_is_refused_and_nothing_is_stored(lat, lon):
    assert covering_codes(lat, lon) == []
    before = counts()
    with pytest.raises(ReportRefused) as refused:
        file_at(lat, lon)
    assert "außerhalb des Stadtgebiets" in refused.value.errors["location"]
    assert counts() == before
    reports, _, events = counts()
    assert (reports, events) == (0, 0)


# --- a real city: Köln's 86 Stadtteile ----------------------------------------------------------


def test_koeln_stadtteile_route_each_representative_point_to_its_stadtteil(app):
    result = app.test_cli_runner().invoke(
        args=[
            "districts",
            "import",
            str(KOELN_STADTTEILE),
            "--replace",
            "--name-field",
            "name",
            "--code-field",
            "STT_NR",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "86 Bezirke angelegt, 0 aktualisiert, 5 entfernt." in result.stdout
    assert db.session.scalar(select(District.code).where(District.code == "1")) is None

    features = json.loads(KOELN_STADTTEILE.read_text())["features"]
    assert len(features) == 86
    filed: dict[int, str] = {}
    for f in features:
        point = shape(f["geometry"]).representative_point()
        filed[file_at(point.y, point.x, "strasse").id] = f["properties"]["STT_NR"]

    routed = dict(
        db.session.execute(
            select(Report.id, District.code).join(District, Report.district_id == District.id)
        ).all()
    )
    wrong = {report_id: (want, routed.get(report_id)) for report_id, want in filed.items()}
    wrong = {k: v for k, v in wrong.items() if v[0] != v[1]}
    assert wrong == {}
    assert Counter(routed.values()) == Counter({f["properties"]["STT_NR"]: 1 for f in features})


# --- case numbers -------------------------------------------------------------------------------


def test_case_numbers_are_distinct_year_and_zero_padded_serial():
    feature = demo_districts()[0]
    reports = [file_at(*inside_point(feature)) for _ in range(2)]
    numbers = [r.case_number for r in reports]
    assert numbers[0] != numbers[1]
    for report in reports:
        assert re.fullmatch(r"\d{4}-\d{6,}", report.case_number), report.case_number
        year = report.case_number.split("-")[0]
        assert int(year) == report.created_at.astimezone(ZoneInfo("Europe/Berlin")).year
    # One after the other in the year (app.reports.case_numbers: no gaps).
    serials = [int(n.split("-")[1]) for n in numbers]
    assert serials[1] == serials[0] + 1
