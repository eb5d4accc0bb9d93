""" "Schon gemeldet?": the open reports like the one a citizen is about to send — same category
within 50 m, others within 150 m, newest first — as JSON for the form's script and as a step of
the form without JavaScript. Only what the public may see."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.models import Status
from tests.factories import MITTE, jpeg
from tests.helpers import counts, form_data, post_report

# About 11 m of latitude per 0.0001°.
NORTH_M = 0.0001 / 11


def _at(metres: float) -> tuple[float, float]:
    return (MITTE[0] + metres * NORTH_M, MITTE[1])


def _nearby(client, **args: str):
    query = {"lat": str(MITTE[0]), "lon": str(MITTE[1]), "category": "licht"} | args
    return client.get("/api/v1/nearby", query_string=query)


def test_same_category_within_50_m_then_others_within_150_m(client, make_report):
    older = make_report(at=_at(30), age=timedelta(days=2), published=True)
    newer = make_report(at=_at(40), published=True, photos=[jpeg()])
    make_report(at=_at(100))  # same category, too far
    other = make_report(code="muell", at=_at(120))
    make_report(code="muell", at=_at(200))  # other category, too far
    make_report(at=_at(10), status=Status.RESOLVED)  # closed
    response = _nearby(client)
    assert response.status_code == 200
    found = response.get_json()["reports"]
    assert [r["case_number"] for r in found] == [
        newer.case_number,
        older.case_number,
        other.case_number,
    ]
    first = found[0]
    assert first["same_category"] is True and found[2]["same_category"] is False
    assert 30 <= first["distance_m"] <= 50 and first["status_label"] == "Eingegangen"
    assert first["thumbnail_url"].startswith("/fotos/") and first["url"].endswith(newer.case_number)
    assert first["age"] and first["text"] == "Laterne dunkel."


def test_only_what_the_public_may_see(client, make_report):
    make_report(
        at=_at(20),
        published=False,
        description="Geheim",
        photos=[jpeg()],
        reporter_name="Zacharias Quendel",
        reporter_email="zq-7781@example.org",
    )
    body = _nearby(client).get_data(as_text=True)
    assert '"case_number"' in body
    for private in ("Geheim", "Quendel", "zq-7781", "/fotos/"):
        assert private not in body


@pytest.mark.parametrize(
    ("args", "parameter"),
    [
        ({"lat": "abc"}, "lat/lon"),
        ({"lon": ""}, "lat/lon"),
        ({"lat": "91"}, "lat/lon"),
        ({"lat": "1e400"}, "lat/lon"),
        ({"category": "gibtsnicht"}, "category"),
        ({"category": "x" * 10_000}, "category"),
        ({"category": "licht\x00"}, "category"),
    ],
)
def test_bad_input_is_a_clear_400(client, args, parameter):
    response = _nearby(client, **args)
    assert response.status_code == 400
    assert response.get_json()["parameter"] == parameter and response.get_json()["error"]


def test_without_a_category_every_open_report_within_150_m(client, make_report):
    make_report(code="muell", at=_at(120))
    assert len(_nearby(client, category="").get_json()["reports"]) == 1


def test_without_javascript_the_form_shows_them_as_a_step(client, make_report):
    near = make_report(at=_at(20), published=True)
    response = post_report(client, form_data(nearby="1"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Schon gemeldet?" in page and near.case_number in page
    assert "Laterne dunkel." in page and "m entfernt" in page
    assert counts() == (1, 0, 1)  # only `near`: nothing was filed


def test_without_a_place_the_step_asks_for_one(client):
    response = post_report(client, form_data(nearby="1", lat="", lon=""))
    assert response.status_code == 422
    assert "Bitte zuerst den Ort wählen" in response.get_data(as_text=True)
    assert counts() == (0, 0, 0)


def test_none_nearby_says_so(client):
    page = post_report(client, form_data(nearby="1")).get_data(as_text=True)
    assert "Keine ähnlichen offenen Meldungen in der Nähe." in page
