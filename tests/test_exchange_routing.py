"""Routing with other bodies: a point over the city line inside a body's area is accepted and
queued for it; a category rule naming a body takes that category in the city; outside every
area stays a clear refusal. The citizen sees where the report went; our queues do not list it."""

from __future__ import annotations

import pytest
from geoalchemy2.shape import from_shape
from shapely.geometry import MultiPolygon, box
from sqlalchemy import select

from app.exchange.forwarding import ForwardRefused, forward
from app.extensions import db
from app.models import Body, Category, EventKind, ExchangeJob, OutboxMail, Report
from app.staff.service import queue
from tests.exchange_support import IN_B
from tests.factories import MITTE, WUPPERTAL
from tests.fixtures.open311 import BASE, new_key
from tests.helpers import confirmation, counts

# East of the city (see tests/exchange_support.py).
HAAN = from_shape(MultiPolygon([box(7.18, 51.13, 7.25, 51.20)]), srid=4326)


def _body(name: str = "Stadt Haan", area: object = HAAN, categories: tuple[str, ...] = ()) -> Body:
    listed = list(db.session.scalars(select(Category).where(Category.code.in_(categories))))
    body = Body(name=name, email="post@haan.example", area=area, categories=listed)
    db.session.add(body)
    db.session.commit()
    return body


def _form(lat: float, lon: float, **extra: str) -> dict:
    return {
        "category": str(db.session.scalar(select(Category.id).where(Category.code == "licht"))),
        "lat": str(lat),
        "lon": str(lon),
        "description": "Laterne dunkel.",
        "consent": "y",
        **extra,
    }


def test_a_pin_over_the_city_line_goes_to_the_body_of_that_area(client, make_report):
    body = _body()
    response = client.post("/melden", data=_form(*IN_B), follow_redirects=False)
    assert response.status_code == 302
    page = confirmation(client)
    assert "Stadt Haan" in page and "weitergeleitet" in page
    report = db.session.scalars(select(Report)).one()
    assert report.body_id == body.id
    assert report.district_id is not None  # the nearest district, for the map and statistics
    job = db.session.scalars(select(ExchangeJob)).one()
    assert (job.report_id, job.body_id, job.state) == (report.id, body.id, "pending")
    kinds = [e.kind for e in report.events]
    assert kinds == ["status_change", EventKind.FORWARDED]
    public = client.get(f"/meldungen/{report.case_number}").get_data(as_text=True)
    assert "An Stadt Haan weitergeleitet." in public


def test_outside_every_area_stays_a_refusal(client):
    _body()
    before = counts()
    response = client.post("/melden", data=_form(*WUPPERTAL))
    assert response.status_code == 422
    assert "außerhalb des Stadtgebiets" in response.get_data(as_text=True)
    assert counts() == before
    assert db.session.scalars(select(ExchangeJob)).all() == []


def test_a_body_s_area_does_not_take_city_reports_of_categories_it_does_not_list(make_report):
    _body(area=from_shape(MultiPolygon([box(6.9, 51.1, 7.2, 51.3)]), srid=4326))
    report = make_report(at=MITTE)
    assert report.body_id is None


def test_a_category_rule_can_name_a_body(make_report):
    stadtwerke = _body("Stadtwerke", area=None, categories=("licht",))
    lamp = make_report(code="licht", at=MITTE)
    pothole = make_report(code="strasse", at=MITTE)
    assert lamp.body_id == stadtwerke.id and pothole.body_id is None
    # The department hears nothing of a report another body handles.
    mails = select(OutboxMail.kind).where(OutboxMail.report_id.in_([lamp.id, pothole.id]))
    assert [kind for kind in db.session.scalars(mails)] == ["department"]  # the pothole's


def test_forwarded_reports_leave_our_queues(make_report, staff):
    report = make_report(at=MITTE)
    admin = staff["admin"]
    assert report in queue(admin)
    forward(report, _body(), author="Test", reason="Bundesstraße: Straßen.NRW")
    assert report not in queue(admin)


def test_forwarding_twice_to_one_body_is_refused(make_report):
    report = make_report(at=MITTE)
    body = _body()
    forward(report, body, author="Test")
    with pytest.raises(ForwardRefused, match="bereits"):
        forward(report, body, author="Test")
    assert len(db.session.scalars(select(ExchangeJob)).all()) == 1


@pytest.mark.parametrize("reason", ["x" * 5001, "Steuer\x00zeichen"])
def test_a_bad_reason_forwards_nothing(make_report, reason):
    report = make_report(at=MITTE)
    with pytest.raises(ForwardRefused):
        forward(report, _body(), author="Test", reason=reason)
    db.session.rollback()
    assert db.session.scalars(select(ExchangeJob)).all() == []


def test_open311_filing_over_the_city_line_is_accepted_too(client):
    _body()
    data = {"api_key": new_key(), "service_code": "licht", "lat": str(IN_B[0])}
    data |= {"long": str(IN_B[1]), "description": "Laterne"}
    response = client.post(f"{BASE}/requests.json", data=data)
    assert response.status_code == 200, response.get_data(as_text=True)
    notice = response.get_json()[0]["service_notice"]
    assert "an Stadt Haan weitergeleitet" in notice
