"""The idempotency store of staff actions (app/staff/replay.py): a form sent again with the same
request_key is answered as done and acts once; keys are per person; malformed keys are
refused with a clear message and change nothing; a replay from the offline queue gets its
outcome as JSON (done with the new version, conflict, refused, login)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import RequestKey, TimelineEvent
from app.staff import replay
from tests.fixtures.reports import current
from tests.fixtures.staff import act, events

REPLAY = {"X-Offline-Replay": "1"}


def keys() -> int:
    return db.session.scalar(select(func.count()).select_from(RequestKey))


def status_events(case: str) -> int:
    report = current(case)
    return db.session.scalar(
        select(func.count())
        .select_from(TimelineEvent)
        .where(TimelineEvent.report_id == report.id, TimelineEvent.kind == "status_change")
    )


def test_the_same_form_sent_twice_acts_once_and_says_so(client, case, login_as):
    login_as("crew_light")
    filed = status_events(case)
    key = str(uuid.uuid4())
    version = str(current(case).version)
    first = act(client, case, "status", status="in_progress", version=version, request_key=key)
    assert first.status_code == 302
    before = events()
    again = act(client, case, "status", status="in_progress", version=version, request_key=key)
    assert again.status_code == 302
    assert again.headers["Location"].endswith(f"/staff/meldungen/{case}")
    assert events() == before
    assert status_events(case) == filed + 1
    page = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "schon gespeichert; sie wurde nicht noch einmal ausgeführt" in page


def test_a_replay_gets_the_outcome_as_json_with_the_new_version(client, case, login_as):
    login_as("crew_light")
    filed = status_events(case)
    key = str(uuid.uuid4())
    version = current(case).version
    data = {"status": "in_progress", "version": str(version), "request_key": key}
    first = client.post(f"/staff/meldungen/{case}/status", data=data, headers=REPLAY)
    assert first.status_code == 200
    assert first.json == {
        "outcome": "done",
        "message": "",
        "version": current(case).version,
        "repeated": False,
    }
    assert current(case).version > version
    again = client.post(f"/staff/meldungen/{case}/status", data=data, headers=REPLAY)
    assert again.json["outcome"] == "done"
    assert again.json["repeated"] is True
    assert again.json["version"] == first.json["version"]
    assert status_events(case) == filed + 1
    # The replay's "Gespeichert." was answered in the JSON, not left for the next page.
    assert "Gespeichert." not in client.get(f"/staff/meldungen/{case}").get_data(as_text=True)


def test_a_later_change_on_top_of_the_replayed_one_uses_its_version(client, case, login_as):
    """The phone queued two changes on the same page; the second goes on the first's version."""
    login_as("crew_light")
    seen = str(current(case).version)
    first = client.post(
        f"/staff/meldungen/{case}/status",
        data={"status": "in_progress", "version": seen, "request_key": str(uuid.uuid4())},
        headers=REPLAY,
    )
    second = client.post(
        f"/staff/meldungen/{case}/prioritaet",
        data={
            "priority": "2",
            "version": str(first.json["version"]),
            "request_key": str(uuid.uuid4()),
        },
        headers=REPLAY,
    )
    assert second.json["outcome"] == "done"
    assert current(case).priority == 2


def test_keys_are_per_person(client, app, case, login_as):
    filed = status_events(case)
    crew = login_as("crew_light")
    key = str(uuid.uuid4())
    act(crew, case, "status", status="in_progress", request_key=key)
    other = login_as("dispatcher", app.test_client())
    response = act(other, case, "status", status="accepted", request_key=key)
    assert response.status_code == 302
    assert current(case).status == "accepted"
    assert status_events(case) == filed + 2
    assert keys() == 2


def test_a_refused_or_overtaken_change_keeps_no_key(client, case, login_as):
    """Only a change that took effect stores its key: the crew may send it again."""
    login_as("crew_light")
    key = str(uuid.uuid4())
    old = str(current(case).version - 1)
    conflict = client.post(
        f"/staff/meldungen/{case}/status",
        data={"status": "in_progress", "version": old, "request_key": key},
        headers=REPLAY,
    )
    assert conflict.status_code == 409
    assert conflict.json["outcome"] == "conflict"
    assert "inzwischen geändert" in conflict.json["message"]
    refused = act(client, case, "status", status="received", request_key=key)
    assert refused.status_code == 422
    assert keys() == 0
    assert act(client, case, "status", status="in_progress", request_key=key).status_code == 302
    assert keys() == 1


def test_refused_as_json_with_the_message(client, case, login_as):
    login_as("crew_light")
    response = client.post(
        f"/staff/meldungen/{case}/status",
        data={
            "status": "received",
            "version": str(current(case).version),
            "request_key": str(uuid.uuid4()),
        },
        headers=REPLAY,
    )
    assert response.status_code == 422
    assert response.json["outcome"] == "refused"
    assert response.json["message"].startswith("Die Meldung hat bereits diesen Status.")


def test_one_key_for_two_different_changes_is_refused(client, case, login_as):
    login_as("crew_light")
    key = str(uuid.uuid4())
    act(client, case, "status", status="in_progress", request_key=key)
    before = events()
    response = act(client, case, "prioritaet", priority="2", request_key=key)
    assert response.status_code == 422
    assert "gehört schon zu einer anderen Änderung" in response.get_data(as_text=True)
    assert events() == before


@pytest.mark.parametrize(
    "key",
    [
        "abc",
        "0f8fad5b-d9cb-469f-a165-70867728950",  # one digit short
        "0f8fad5b-d9cb-469f-a165-70867728950e0",
        "0f8fad5bd9cb469fa16570867728950e",  # without hyphens
        "0f8fad5b-d9cb-469f-a165-70867728950\x00",
        "0f8fad5b-d9cb-469f-a165-7086772895²e",
        "x" * 100_000,
        "'; DROP TABLE staff_request_keys; --",
    ],
)
def test_malformed_keys_are_refused_clearly_and_change_nothing(client, case, login_as, key):
    login_as("crew_light")
    before = (current(case).version, events(), keys())
    response = act(client, case, "status", status="in_progress", request_key=key)
    assert response.status_code == 400
    assert "Ungültiger Anfrageschlüssel (request_key)" in response.get_data(as_text=True)
    assert (current(case).version, events(), keys()) == before


def test_two_keys_in_one_form_are_refused(client, case, login_as):
    login_as("crew_light")
    filed = status_events(case)
    data = {
        "status": "in_progress",
        "version": str(current(case).version),
        "request_key": [str(uuid.uuid4()), str(uuid.uuid4())],
    }
    response = client.post(f"/staff/meldungen/{case}/status", data=data, headers=REPLAY)
    assert response.status_code == 400
    assert response.json["outcome"] == "refused"
    assert "mehr als einen Anfrageschlüssel" in response.json["message"]
    assert status_events(case) == filed


def test_a_form_without_a_key_acts_as_before(client, case, login_as):
    login_as("crew_light")
    assert act(client, case, "status", status="in_progress").status_code == 302
    assert act(client, case, "status", status="accepted", request_key="").status_code == 302
    assert keys() == 0


def test_a_replay_without_login_is_told_to_log_in(client, case):
    response = client.post(
        f"/staff/meldungen/{case}/status",
        data={"status": "in_progress", "version": "1", "request_key": str(uuid.uuid4())},
        headers=REPLAY,
    )
    assert response.status_code == 401
    assert response.json["outcome"] == "login"


def test_another_department_gets_403_and_no_key_is_reserved(client, case, login_as):
    login_as("crew_parks")
    response = act(client, case, "status", status="in_progress", request_key=str(uuid.uuid4()))
    assert response.status_code == 403
    assert keys() == 0


def test_old_keys_are_forgotten(client, case, login_as):
    login_as("crew_light")
    act(client, case, "status", status="in_progress", request_key=str(uuid.uuid4()))
    assert replay.purge(datetime.now(UTC) + timedelta(days=replay.KEEP_DAYS - 1)) == 0
    assert replay.purge(datetime.now(UTC) + timedelta(days=replay.KEEP_DAYS + 1)) == 1
    assert keys() == 0
