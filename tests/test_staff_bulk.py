"""Bulk status and assignment from the inbox and queue lists: every selected report through the
same rulebook as one at a time (its own timeline entry, its own mail, its own permission and
version check), all or nothing, and a refusal that names the report and keeps what was typed."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import EventKind, OutboxMail, TimelineEvent
from tests.fixtures.reports import current


@pytest.fixture
def lights(make_report, staff) -> list[str]:
    """Three unchecked street-light reports (tbs-licht), each with a reporter who follows it."""
    return [
        make_report(
            description=f"Laterne {n} dunkel.",
            reporter_email=f"melder{n}@example.org",
        ).case_number
        for n in range(3)
    ]


@pytest.fixture
def park(make_report, staff) -> str:
    return make_report(code="gruen", description="Ast auf dem Weg.").case_number


def picked(*cases: str) -> list[str]:
    return [f"{case}:{current(case).version}" for case in cases]


def bulk(client, cases: list[str], **data: object):
    form = {"auswahl": cases, "zurueck": "/staff/eingang", **data}
    return client.post("/staff/auswahl", data=form)


def snapshot(cases: list[str]) -> tuple:
    """What a refused bulk action must leave as it was."""
    db.session.expire_all()
    return (
        [(current(c).status, current(c).version, current(c).assignee_id) for c in cases],
        db.session.scalar(select(func.count()).select_from(TimelineEvent)),
        db.session.scalar(select(func.count()).select_from(OutboxMail)),
    )


def test_one_status_for_all_selected_with_own_entries_and_mails(client, lights, login_as):
    login_as("dispatcher")
    chosen = lights[:2]
    mails_before = db.session.scalar(select(func.count()).select_from(OutboxMail))
    response = bulk(
        client,
        picked(*chosen),
        aktion="status",
        status="in_progress",
        note="Wird geprüft.",
        visibility="public",
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/staff/eingang")
    for case in chosen:
        report = current(case)
        assert report.status == "in_progress"
        kinds = [(e.kind, e.status, e.note, e.author) for e in report.events[1:]]
        assert kinds == [
            (EventKind.STATUS_CHANGE, "in_progress", None, "Poststelle"),
            (EventKind.PUBLIC_NOTE, None, "Wird geprüft.", "Poststelle"),
        ]
    assert current(lights[2]).status == "received"
    status_mails = db.session.scalars(
        select(OutboxMail.recipient).where(OutboxMail.kind == "status").order_by(OutboxMail.id)
    ).all()
    assert status_mails == ["melder0@example.org", "melder1@example.org"]
    assert db.session.scalar(select(func.count()).select_from(OutboxMail)) == mails_before + 2
    page = client.get("/staff/eingang").get_data(as_text=True)
    assert "Status „In Bearbeitung“ für 2 Meldungen gesetzt" in page


def test_assign_all_selected_to_a_colleague(client, lights, staff, login_as):
    login_as("crew_light")
    response = bulk(
        client, picked(*lights), aktion="zuweisen", assignee=str(staff["crew_light"].id)
    )
    assert response.status_code == 303
    for case in lights:
        report = current(case)
        assert report.assignee_id == staff["crew_light"].id
        assert report.events[-1].note == "Zugewiesen an Licht."


def test_one_refusal_refuses_all_and_names_the_report(client, lights, login_as):
    login_as("dispatcher")
    first = bulk(client, picked(lights[1]), aktion="status", status="accepted")
    assert first.status_code == 303
    before = snapshot(lights)
    # The same status without a note has nothing to save for the one that has it already
    # (with a note it would be a note alone, which crews may add).
    response = bulk(
        client, picked(*lights), aktion="status", status="accepted", visibility="internal"
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f"Meldung {lights[1]}: Die Meldung hat bereits diesen Status." in page
    assert "Es wurde keine Meldung geändert." in page
    assert snapshot(lights) == before
    # The selection is still ticked and the choice still there: untick one and send again.
    for case in lights:
        assert f'id="pick-{case}"' in page
    assert page.count(" checked>") >= 3
    assert '<input type="radio" name="visibility" value="internal" checked>' in page


def test_a_crew_cannot_touch_another_departments_report(client, lights, park, login_as):
    login_as("crew_light")
    before = snapshot([*lights, park])
    response = bulk(client, picked(lights[0], park), aktion="status", status="in_progress")
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert f"Meldung {park}: Dafür fehlt Ihnen die Berechtigung." in page
    assert snapshot([*lights, park]) == before
    assert f'id="pick-{park}"' not in page  # not shown to someone who may not open it


def test_a_report_changed_meanwhile_refuses_all(client, lights, login_as):
    login_as("dispatcher")
    stale = picked(*lights)
    assert bulk(client, picked(lights[2]), aktion="status", status="accepted").status_code == 303
    before = snapshot(lights)
    response = bulk(client, stale, aktion="status", status="in_progress")
    assert response.status_code == 409
    assert f"Meldung {lights[2]} wurde inzwischen geändert." in response.get_data(as_text=True)
    assert snapshot(lights) == before
    # The page offers the current versions: sending it again works.
    page = response.get_data(as_text=True)
    assert f'value="{lights[2]}:{current(lights[2]).version}"' in page


def test_a_colleague_of_another_department_is_refused(client, lights, park, staff, login_as):
    login_as("dispatcher")
    before = snapshot(lights)
    response = bulk(
        client, picked(*lights), aktion="zuweisen", assignee=str(staff["crew_parks"].id)
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f"Meldung {lights[0]}: Diese Person arbeitet nicht für die zuständige Abteilung." in page
    assert snapshot(lights) == before


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        ({"auswahl": []}, 422, "mindestens eine Meldung"),
        ({"auswahl": ["2026-1"]}, 400, "Ungültige Auswahl"),
        ({"auswahl": ["2026-000001:x"]}, 400, "Ungültige Auswahl"),
        ({"auswahl": ["2026-000001:1\x00"]}, 400, "Ungültige Auswahl"),
        ({"auswahl": ["' OR 1=1 --:1"]}, 400, "Ungültige Auswahl"),
        ({"auswahl": ["2026-999999:1"]}, 404, "Meldung 2026-999999 gibt es nicht"),
        ({"auswahl": [f"2026-{n:06d}:1" for n in range(101)]}, 422, "Höchstens 100"),
        ({"status": "geloescht"}, 422, "Unbekannter Status"),
        ({"status": "duplicate"}, 422, "„Als Duplikat schließen“"),
        ({"note": "x" * 2001}, 422, "höchstens 2000 Zeichen"),
        ({"note": "Notiz\x07"}, 422, "Steuerzeichen"),
        ({"aktion": "loeschen"}, 422, "„Status setzen“ oder „Zuweisen“"),
        ({"aktion": "zuweisen", "assignee": "²"}, 422, "arbeitet nicht"),
        ({"aktion": "zuweisen", "assignee": "99999999999"}, 422, "arbeitet nicht"),
    ],
)
def test_hostile_bulk_input_changes_nothing(client, lights, login_as, data, status, message):
    login_as("dispatcher")
    before = snapshot(lights)
    form = {"auswahl": picked(*lights), "aktion": "status", "status": "in_progress", **data}
    response = client.post("/staff/auswahl", data=form)
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    assert snapshot(lights) == before


def test_the_same_report_twice_is_changed_once(client, lights, login_as):
    login_as("dispatcher")
    twice = picked(lights[0]) * 2
    assert bulk(client, twice, aktion="status", status="in_progress").status_code == 303
    assert [e.status for e in current(lights[0]).events] == ["received", "in_progress"]


@pytest.mark.parametrize(
    ("back", "expected"),
    [
        ("/staff/warteschlange?status=received&sortierung=prioritaet", None),
        ("/staff/eingang", None),
        ("https://evil.example/staff/eingang", "/staff/"),
        ("//evil.example/staff/eingang", "/staff/"),
        ("/staff/eingang\r\nSet-Cookie: x=1", "/staff/"),
        ("/admin/benutzer", "/staff/"),
        ("", "/staff/"),
    ],
)
def test_back_to_the_list_never_elsewhere(client, lights, login_as, back, expected):
    login_as("dispatcher")
    form = {"auswahl": picked(lights[0]), "aktion": "status", "status": "accepted"}
    response = client.post("/staff/auswahl", data={**form, "zurueck": back})
    assert response.status_code == 303
    assert response.headers["Location"] == (expected or back)


@pytest.mark.parametrize("page", ["/staff/eingang", "/staff/warteschlange"])
def test_the_lists_carry_checkboxes_and_the_bulk_form(client, lights, login_as, page):
    login_as("dispatcher")
    body = client.get(page).get_data(as_text=True)
    for case in lights:
        version = current(case).version
        assert f'form="bulk-form" name="auswahl" id="pick-{case}"' in body
        assert f'value="{case}:{version}"' in body
        assert f"Meldung {case} auswählen" in body
    assert 'id="bulk-form"' in body and 'name="aktion" value="status"' in body
    assert 'name="aktion" value="zuweisen"' in body
    assert '<option value="duplicate"' not in body.split('id="bulk-form"')[1]


def test_a_crew_is_offered_only_colleagues_of_its_departments(client, lights, login_as):
    login_as("crew_light")
    form = client.get("/staff/warteschlange").get_data(as_text=True).split('id="bulk-form"')[1]
    assert ">Licht<" in form and ">Poststelle<" in form
    assert ">Gruen<" not in form
