"""We as the receiving body: a partner's repeated POST with the same key and external_id gets
the first request's id (a retry after a lost answer cannot double), and the key of a body we
forwarded a report to may post updates to it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from app.exchange.forwarding import forward
from app.extensions import db
from app.models import ApiKey, Body, Report, Status
from tests.factories import MITTE
from tests.fixtures.open311 import BASE, new_key
from tests.helpers import counts


def _post(client, key: str, external_id: str | None, **extra: str):
    data = {"api_key": key, "service_code": "licht", "lat": str(MITTE[0]), "long": str(MITTE[1])}
    data |= {"description": "Laterne dunkel.", **extra}
    if external_id is not None:
        data["attribute[external_id]"] = external_id
    return client.post(f"{BASE}/requests.json", data=data)


def test_a_repeated_post_with_the_same_external_id_gets_the_first_id(client):
    key = new_key("Stadt Haan")
    first = _post(client, key, "HAAN-2026-77")
    again = _post(client, key, "HAAN-2026-77")
    assert first.status_code == again.status_code == 200
    assert first.get_json()[0]["service_request_id"] == again.get_json()[0]["service_request_id"]
    assert len(db.session.scalars(select(Report)).all()) == 1


def test_the_same_external_id_from_another_partner_is_another_report(client):
    _post(client, new_key("Stadt Haan"), "42")
    _post(client, new_key("Kreis Mettmann"), "42")
    assert len(db.session.scalars(select(Report)).all()) == 2


@pytest.mark.parametrize("external_id", ["x" * 101, "mit\x00null", "zeilen\numbruch"])
def test_a_hostile_external_id_is_refused_and_stores_nothing(client, external_id):
    before = counts()
    response = _post(client, new_key(), external_id)
    assert response.status_code == 400
    assert "attribute[external_id]" in response.get_json()[0]["description"]
    assert counts() == before


def test_the_key_of_the_body_a_report_went_to_may_post_updates(client, make_report):
    key = new_key("Straßen.NRW", can_update=True)
    partner = db.session.scalars(select(ApiKey).where(ApiKey.name == "Straßen.NRW")).one()
    body = Body(name="Straßen.NRW", email="post@strassen.nrw.example", partner_key=partner)
    db.session.add(body)
    report = make_report(at=MITTE, published=True)
    other = make_report(at=MITTE, published=True)
    forward(report, body, author="Test")
    db.session.commit()

    def update(case_number: str):
        data = {"api_key": key, "service_request_id": case_number, "update_id": case_number}
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        data |= {"status": "FIXED", "updated_datetime": now}
        return client.post(f"{BASE}/servicerequestupdates.json", data=data | {"description": "ok"})

    assert update(report.case_number).status_code == 200
    db.session.refresh(report)
    assert report.status == Status.RESOLVED
    refused = update(other.case_number)
    assert refused.status_code == 403
    db.session.refresh(other)
    assert other.status == Status.RECEIVED
