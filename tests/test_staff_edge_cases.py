"""Odd numbers, NUL bytes, a save that races the version check, duplicates that would point in
circles or lose their original, corrections that change who is responsible — each refused
cleanly or handled, never a 500."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from app.auth import service as auth_service
from app.auth.throttle import LoginPolicy
from app.extensions import db
from app.models import User
from app.staff import actions
from tests.fixtures.reports import current
from tests.fixtures.staff import act, events


@pytest.mark.parametrize(
    ("action", "data", "code"),
    [
        ("status", {"status": "resolved", "version": "²"}, 409),
        ("prioritaet", {"priority": "²"}, 422),
        ("zuweisen", {"assignee": "²"}, 422),
        ("zuweisen", {"assignee": "99999999999"}, 422),
        ("duplikat", {"original": "20\x0026"}, 422),
        ("weiterleiten", {"department": "tbs\x00"}, 422),
        ("kategorie", {"category": "licht\x00"}, 422),
    ],
)
def test_odd_values_are_refused_not_crashed(client, case, action, data, code, login_as):
    login_as("dispatcher")
    before = (current(case).version, events())
    assert act(client, case, action, **data).status_code == code
    assert (current(case).version, events()) == before


@pytest.mark.parametrize("path", ["/staff/meldungen/20%0026", "/meldungen/20%0026"])
def test_nul_in_an_address_is_a_clear_400(client, case, path, login_as):
    login_as("dispatcher")
    response = client.get(path)
    assert response.status_code == 400
    assert "Nullzeichen" in response.get_data(as_text=True)


def test_nul_in_the_login_is_a_clear_400(client, case):
    response = client.post("/anmelden", data={"email": "a\x00@example.org", "password": "x"})
    assert response.status_code == 400 and "Nullzeichen" in response.get_data(as_text=True)


def test_a_save_between_check_and_write_is_changed_meanwhile(client, case, monkeypatch, login_as):
    checked = actions.check

    def someone_else_saves_right_after(user, report, seen_version):
        checked(user, report, seen_version)
        db.session.execute(
            text("UPDATE reports SET version = version + 1 WHERE id = :id"), {"id": report.id}
        )

    monkeypatch.setattr(actions, "check", someone_else_saves_right_after)
    login_as("crew_light")
    before = events()
    response = act(client, case, "status", status="in_progress")
    assert response.status_code == 409
    assert "inzwischen geändert" in response.get_data(as_text=True)
    assert current(case).status == "received" and events() == before


def test_crew_cannot_close_as_duplicate_without_an_original(client, case, login_as):
    login_as("crew_light")
    response = act(client, case, "status", status="duplicate")
    assert response.status_code == 422 and "Als Duplikat schließen" in response.get_data(
        as_text=True
    )
    assert current(case).status == "received"


def test_reopening_a_duplicate_forgets_its_original(client, case, login_as, make_report):
    original = make_report(description="noch eine Laterne").case_number
    login_as("dispatcher")
    act(client, case, "duplikat", original=original)
    act(client, case, "status", status="in_progress")
    assert current(case).duplicate_of is None
    assert "denselben Mangel" not in client.get(f"/meldungen/{case}").get_data(as_text=True)


def test_two_reports_cannot_be_duplicates_of_each_other(client, case, login_as, make_report):
    other = make_report(description="noch eine Laterne").case_number
    login_as("dispatcher")
    act(client, case, "duplikat", original=other)
    response = act(client, other, "duplikat", original=case)
    assert response.status_code == 422 and "selbst ein Duplikat" in response.get_data(as_text=True)
    assert current(other).status == "received"


def test_an_original_with_duplicates_cannot_be_rejected(client, case, login_as, make_report):
    other = make_report(description="noch eine Laterne").case_number
    login_as("dispatcher")
    act(client, other, "duplikat", original=case)
    response = act(client, case, "ablehnen", reason="spam")
    assert response.status_code == 422 and other in response.get_data(as_text=True)
    assert current(case) is not None and current(other).duplicate_of.case_number == case


def test_a_corrected_category_moves_the_report_to_its_department(client, case, login_as):
    login_as("dispatcher")
    licht = db.session.scalar(select(User).where(User.email == "licht@example.org"))
    act(client, case, "zuweisen", assignee=str(licht.id))
    act(client, case, "kategorie", category="ampel")
    report = current(case)
    assert report.department.code == "tbs-verkehr"
    assert report.assignee is None  # Licht works for another department
    assert "Weitergeleitet an TBS – Verkehrstechnik" in client.get(f"/meldungen/{case}").get_data(
        as_text=True
    )


def test_the_inbox_keeps_unchecked_reports_whatever_crews_did(client, case, login_as):
    login_as("crew_light")
    act(client, case, "status", status="in_progress")
    client.post("/abmelden")
    login_as("dispatcher")
    assert case in client.get("/staff/eingang").get_data(as_text=True)
    act(client, case, "veroeffentlichen")
    assert case not in client.get("/staff/eingang").get_data(as_text=True)


def test_an_unknown_address_costs_a_password_check_too(case, monkeypatch):
    calls = []
    real = auth_service.check_password_hash
    monkeypatch.setattr(
        auth_service, "check_password_hash", lambda h, p: calls.append(p) or real(h, p)
    )
    policy = LoginPolicy(5, 900)
    attempt = auth_service.authenticate("niemand@example.org", "geraten", "192.0.2.1", policy)
    assert attempt.user is None
    assert calls == ["geraten"]
