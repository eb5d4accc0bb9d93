"""GET /api/v1/map: clusters and single reports, exact counts for every filter and zoom."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select, text

from app.extensions import db
from app.models import Report
from tests.helpers import MAP_CARD_KEYS

CITY = "6.9,51.1,7.2,51.25"
# The default status: open, or resolved since midnight 30 days ago in the city's time zone.
CURRENT = (
    "status IN ('received', 'accepted', 'in_progress') OR (status = 'resolved' AND closed_at >= "
    "(date_trunc('day', now() AT TIME ZONE 'Europe/Berlin') - interval '30 days') "
    "AT TIME ZONE 'Europe/Berlin')"
)


@pytest.fixture
def reports(app):
    result = app.test_cli_runner().invoke(args=["demo", "generate", "--count", "300"])
    assert result.exit_code == 0, result.output


def total(features: list[dict]) -> int:
    return sum(f["properties"].get("count", 1) for f in features)


def expected(where: str = "true", **params: object) -> int:
    return db.session.scalar(text(f"SELECT count(*) FROM reports WHERE {where}"), params)


def get_map(client, **params: str):
    response = client.get("/api/v1/map", query_string=params)
    assert response.status_code == 200, response.json
    assert response.mimetype == "application/json"
    return response.json["features"]


def tiles(zoom: int, per_side: int = 60) -> list[str]:
    """Viewports at `zoom` that cover the city exactly once: aligned to its 64-px cells and
    shrunk a hair inside them, so no cell is counted by two tiles."""
    from app.map.viewport import Viewport, cell_bounds

    shift = 26 - zoom
    x0, y0, x1, y1 = Viewport(6.9, 51.1, 7.2, 51.25, zoom).cell_range(shift)
    found = []
    for tx in range(x0, x1 + 1, per_side):
        for ty in range(y0, y1 + 1, per_side):
            west, _, _, north = cell_bounds(tx, ty, shift)
            _, south, east, _ = cell_bounds(
                min(tx + per_side, x1 + 1) - 1, min(ty + per_side, y1 + 1) - 1, shift
            )
            eps = 1e-9
            found.append(f"{west + eps},{south + eps},{east - eps},{north - eps}")
    return found


@pytest.mark.parametrize("zoom", [3, 9, 11, 13, 16, 17, 19])
def test_counts_add_up_at_every_zoom(client, reports, zoom):
    features = [f for bbox in tiles(zoom) for f in get_map(client, bbox=bbox, zoom=str(zoom))]
    assert total(features) == 300
    assert all(f["geometry"]["type"] == "Point" for f in features)


def test_a_bbox_far_larger_than_a_screen_is_refused(client):
    response = client.get("/api/v1/map", query_string={"bbox": CITY, "zoom": "19"})
    assert response.status_code == 400
    assert response.json["parameter"] == "bbox"


def _month_ago(days: int) -> str:
    return (date.today() - timedelta(days=days)).isoformat()


@pytest.mark.parametrize(
    ("params", "where"),
    [
        ({"category": "licht"}, "category_id = (SELECT id FROM categories WHERE code = 'licht')"),
        (
            {"category": "licht,muell"},
            "category_id IN (SELECT id FROM categories WHERE code IN ('licht', 'muell'))",
        ),
        ({"status": "open"}, "status IN ('received', 'accepted', 'in_progress')"),
        ({"status": "closed"}, "status NOT IN ('received', 'accepted', 'in_progress')"),
        ({"status": "resolved,duplicate"}, "status IN ('resolved', 'duplicate')"),
        ({"status": "current"}, CURRENT),
        (
            {"status": "current", "category": "licht"},
            f"({CURRENT}) AND category_id = (SELECT id FROM categories WHERE code = 'licht')",
        ),
        ({"district": "2"}, "district_id = (SELECT id FROM districts WHERE code = '2')"),
        ({"since": "2024-03-17"}, "created_at >= '2024-03-17 00:00 Europe/Berlin'"),
        ({"since": "2024-03-01"}, "created_at >= '2024-03-01 00:00 Europe/Berlin'"),
        ({"until": "2025-08-09"}, "created_at < '2025-08-10 00:00 Europe/Berlin'"),
        ({"until": "2025-08-31"}, "created_at < '2025-09-01 00:00 Europe/Berlin'"),
        (
            {"since": "2023-05-20", "until": "2023-06-10"},
            "created_at >= '2023-05-20 00:00 Europe/Berlin' "
            "AND created_at < '2023-06-11 00:00 Europe/Berlin'",
        ),
        (
            {"since": "2023-05-20", "until": "2023-05-25"},
            "created_at >= '2023-05-20 00:00 Europe/Berlin' "
            "AND created_at < '2023-05-26 00:00 Europe/Berlin'",
        ),
        # A period with a status alone: map_month_statuses on zoom 14 and coarser.
        (
            {"since": "2022-01-15", "status": "open"},
            "created_at >= '2022-01-15 00:00 Europe/Berlin' "
            "AND status IN ('received', 'accepted', 'in_progress')",
        ),
        (
            {"since": "2024-03-01", "until": "2025-08-09", "status": "resolved,duplicate"},
            "created_at >= '2024-03-01 00:00 Europe/Berlin' "
            "AND created_at < '2025-08-10 00:00 Europe/Berlin' "
            "AND status IN ('resolved', 'duplicate')",
        ),
        (
            {"since": "2022-01-15", "status": "open", "category": "strasse"},
            "created_at >= '2022-01-15 00:00 Europe/Berlin' "
            "AND status IN ('received', 'accepted', 'in_progress') "
            "AND category_id = (SELECT id FROM categories WHERE code = 'strasse')",
        ),
    ],
)
@pytest.mark.parametrize("zoom", [10, 14, 18])
def test_counts_are_exact_for_every_filter(client, reports, params, where, zoom):
    features = [f for b in tiles(zoom) for f in get_map(client, bbox=b, zoom=str(zoom), **params)]
    assert total(features) == expected(where)


def test_a_cluster_of_one_is_the_report_itself(client, reports):
    features = [f for bbox in tiles(19) for f in get_map(client, bbox=bbox, zoom="19")]
    singles = [f for f in features if not f["properties"].get("cluster")]
    assert singles
    for feature in singles[:20]:
        props = feature["properties"]
        assert set(props) == MAP_CARD_KEYS
        report = db.session.scalars(select(Report).where(Report.case_number == props["id"])).one()
        assert report.status == props["status"]
        assert report.category.code == props["category"]


def test_small_viewport_only_holds_its_reports(client, reports):
    lon, lat = db.session.execute(
        text("SELECT ST_X(location), ST_Y(location) FROM reports ORDER BY id LIMIT 1")
    ).one()
    bbox = f"{lon - 0.0005},{lat - 0.0003},{lon + 0.0005},{lat + 0.0003}"
    features = get_map(client, bbox=bbox, zoom="19")
    assert 1 <= total(features) < 300


def test_new_report_appears_on_the_map_at_once(client, reports, make_report):
    make_report()
    assert total(get_map(client, bbox=CITY, zoom="12")) == 301
    today = expected(
        "created_at >= date_trunc('day', now() AT TIME ZONE 'Europe/Berlin') "
        "AT TIME ZONE 'Europe/Berlin'"
    )
    assert total(get_map(client, bbox=CITY, zoom="12", since=_month_ago(0))) == today >= 1


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"zoom": "12"}, "bbox"),
        ({"bbox": "1,2,3", "zoom": "12"}, "bbox"),
        ({"bbox": "a,b,c,d", "zoom": "12"}, "bbox"),
        ({"bbox": "7.2,51.1,6.9,51.2", "zoom": "12"}, "bbox"),
        ({"bbox": "nan,51.1,7,51.2", "zoom": "12"}, "bbox"),
        ({"bbox": "-200,51.1,7,51.2", "zoom": "12"}, "bbox"),
        ({"bbox": CITY}, "zoom"),
        ({"bbox": CITY, "zoom": "-1"}, "zoom"),
        ({"bbox": CITY, "zoom": "23"}, "zoom"),
        ({"bbox": CITY, "zoom": "1e3"}, "zoom"),
        ({"bbox": CITY, "zoom": "12", "category": "gibtsnicht"}, "category"),
        ({"bbox": CITY, "zoom": "12", "status": "offen"}, "status"),
        ({"bbox": CITY, "zoom": "12", "district": "99"}, "district"),
        ({"bbox": CITY, "zoom": "12", "since": "gestern"}, "since"),
        ({"bbox": CITY, "zoom": "12", "until": "2026-02-30"}, "until"),
        ({"bbox": CITY, "zoom": "12", "since": "2026-02-01", "until": "2026-01-01"}, "until"),
        ({"bbox": CITY, "zoom": "12", "since": "0001-01-01"}, "since"),
        ({"bbox": CITY, "zoom": "12", "category": "licht\x00"}, "category"),
        ({"bbox": CITY, "zoom": "12", "district": "Mïtte😀"}, "district"),
    ],
)
def test_bad_parameters_get_a_400_naming_them(client, params, parameter):
    response = client.get("/api/v1/map", query_string=params)
    assert response.status_code == 400
    assert response.json["parameter"] == parameter
    assert response.json["error"]


def test_empty_optional_filters_are_ignored(client, reports):
    features = get_map(client, bbox=CITY, zoom="12", category="", status="", since="")
    assert total(features) == 300


def test_partial_months_count_days_in_berlin_time(client, reports):
    """Reports at month edges and Berlin midnights land in the right day and month."""
    moments = [
        "2023-05-20 10:00",  # a partial first month
        "2023-05-31 23:30",  # late on the last day of May in Berlin (21:30 UTC)
        "2023-06-01 00:15",  # early on 1 June in Berlin, still 31 May in UTC
        "2023-06-10 12:00",  # a partial last month
        "2023-06-11 00:05",  # one day too late
    ]
    ids = db.session.scalars(text("SELECT id FROM reports ORDER BY id LIMIT 5")).all()
    for report_id, moment in zip(ids, moments, strict=True):
        db.session.execute(
            text(
                "UPDATE reports SET created_at = CAST(:m AS timestamp) AT TIME ZONE "
                "'Europe/Berlin' WHERE id = :id"
            ),
            {"m": moment, "id": report_id},
        )
    cases = {
        ("2023-05-20", "2023-06-10"): 4,
        ("2023-06-01", "2023-06-01"): 1,
        ("2023-05-31", "2023-05-31"): 1,
    }
    for (since, until), at_least in cases.items():
        where = (
            f"created_at >= '{since} 00:00 Europe/Berlin' "
            f"AND created_at < ('{until}'::date + 1)::timestamp AT TIME ZONE 'Europe/Berlin'"
        )
        want = expected(where)
        assert want >= at_least
        for zoom in (11, 14, 18):
            features = [
                f
                for b in tiles(zoom)
                for f in get_map(client, bbox=b, zoom=str(zoom), since=since, until=until)
            ]
            assert total(features) == want, (since, until, zoom)


def test_the_same_viewport_again_is_not_modified(client, reports):
    """A client that has the answer (its ETag) gets 304 without a body, also when it took the
    answer compressed; another filter is another answer."""
    query = {"bbox": CITY, "zoom": "13", "status": "open"}
    for encoding in ("identity", "br", "gzip"):
        first = client.get("/api/v1/map", query_string=query, headers={"Accept-Encoding": encoding})
        assert first.status_code == 200
        assert first.headers["ETag"]
        assert "max-age=30" in first.headers["Cache-Control"]
        again = client.get(
            "/api/v1/map", query_string=query, headers={"If-None-Match": first.headers["ETag"]}
        )
        assert again.status_code == 304
        assert again.data == b""
    other = client.get(
        "/api/v1/map",
        query_string=query | {"status": "closed"},
        headers={"If-None-Match": first.headers["ETag"]},
    )
    assert other.status_code == 200
    assert total(other.json["features"]) == expected(
        "status NOT IN ('received', 'accepted', 'in_progress')"
    )
