"""mySociety's service request updates on our Open311 server: GET lists the public timeline
(status changes and public notes, nothing internal, nothing personal), POST lets a partner's key
update the reports it filed, once per update_id; every refusal changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update
from werkzeug.test import TestResponse

from app.extensions import db
from app.models import ApiKey, EventKind, OutboxMail, Report, Status, TimelineEvent
from app.open311 import statuses
from tests.factories import MITTE
from tests.fixtures.open311 import (
    BASE,
    POSTED_SCHEMA,
    UPDATE_POSTED_SCHEMA,
    UPDATE_STATUSES,
    UPDATES_SCHEMA,
    check_json,
    check_xml,
    errors_in_both,
    new_key,
    w3c,
)
from tests.fixtures.reports import current, set_status
from tests.fixtures.staff import act

PARTNER = "FixMyStreet"
REPORTER = {
    "email": "zora.quellwasser@example.org",
    "first_name": "Zora",
    "last_name": "Quellwasser",
    "phone": "0212 9876543",
}


@pytest.fixture(autouse=True)
def immediate_publishing(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """Most tests follow a partner's text onto the public timeline; the moderated case has
    tests of its own below."""
    monkeypatch.setitem(app.config, "PUBLISHING", "immediate")


@pytest.fixture
def partner_key() -> str:
    return new_key(PARTNER, can_update=True)


@pytest.fixture
def case(client: FlaskClient, partner_key: str) -> str:
    """A report the partner filed through Open311, with the reporter's contact."""
    return file_report(client, partner_key)


def file_report(client: FlaskClient, key: str) -> str:
    data = {
        "api_key": key,
        "service_code": "licht",
        "lat": str(MITTE[0]),
        "long": str(MITTE[1]),
        "description": "Laterne dunkel.",
        **REPORTER,
    }
    [answer] = check_json(client.post(f"{BASE}/requests.json", data=data), POSTED_SCHEMA)
    return answer["service_request_id"]


def fields(key: str | None, case: str, **overrides: object) -> dict:
    """What FixMyStreet posts for one update (the commenter's data included)."""
    data: dict = {
        "api_key": key,
        "service_request_id": case,
        "update_id": "4711",
        "status": "FIXED",
        # Made just now: an update older than our last status change sets no status.
        "updated_datetime": datetime.now(UTC).isoformat(timespec="seconds"),
        "description": "Die Laterne brennt wieder.",
        "email": "kommentar.schreiber@example.org",
        "first_name": "Kurt",
        "last_name": "Kommentator",
        "title": "Herr",
        "phone": "0212 1112223",
        "account_id": "fms-konto-9",
        "public_anonymity_required": "FALSE",
        "email_alerts_requested": "TRUE",
        "service_code": "licht",
        "media_url": "https://fms.example.org/photo/1.jpeg",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def post_update(client: FlaskClient, data: dict, fmt: str = "json") -> TestResponse:
    return client.post(f"{BASE}/servicerequestupdates.{fmt}", data=data)


def posted_id(response: TestResponse) -> str:
    [answer] = check_json(response, UPDATE_POSTED_SCHEMA)["service_request_updates"]
    return answer["update_id"]


def posted_xml_id(response: TestResponse) -> str | None:
    """The update_id where FixMyStreet reads it: the first request_update's."""
    [item] = check_xml(response, "service_request_updates")
    assert item.tag == "request_update" and [child.tag for child in item] == ["update_id"]
    return item.findtext("update_id")


def updates_in_both(client: FlaskClient, **query: str) -> list[dict[str, Any]]:
    """The JSON list, after checking that the XML answer carries the same updates."""
    path = f"{BASE}/servicerequestupdates"
    data = check_json(client.get(f"{path}.json", query_string=query), UPDATES_SCHEMA)
    root = check_xml(client.get(f"{path}.xml", query_string=query), "service_request_updates")
    assert [item.tag for item in root] == ["request_update"] * len(root)
    as_xml = [{child.tag: child.text or "" for child in item} for item in root]
    listed = data["service_request_updates"]
    assert as_xml == listed
    return listed


def add_event(report: Report, kind: EventKind, when: datetime, note: str, public: bool) -> int:
    event = TimelineEvent(
        report=report,
        kind=kind,
        note=note,
        public=public,
        author="Sachbearbeitung",
        created_at=when,
    )
    db.session.add(event)
    db.session.commit()
    return event.id


def state(case: str) -> tuple:
    """Everything an update may change: status, version, timeline and mails."""
    report = current(case)
    events = [(e.kind, e.status, e.note, e.author) for e in report.events]
    mails = db.session.scalar(select(func.count()).select_from(OutboxMail))
    return report.status, report.version, events, mails


def status_mails() -> list[OutboxMail]:
    return list(db.session.scalars(select(OutboxMail).where(OutboxMail.kind == "status")))


# --- GET ------------------------------------------------------------------------------------


def test_lists_public_status_changes_and_notes_oldest_first(client, make_report):
    report = make_report(age=timedelta(days=3))
    filed = report.created_at
    set_status(report, Status.IN_PROGRESS, filed + timedelta(hours=1))
    note = add_event(
        report, EventKind.PUBLIC_NOTE, filed + timedelta(hours=2), "Ersatzteil bestellt.", True
    )
    add_event(report, EventKind.INTERNAL_NOTE, filed + timedelta(hours=3), "INTERN-XY", False)
    set_status(report, Status.RESOLVED, filed + timedelta(hours=4), note="Repariert.")
    listed = updates_in_both(client)
    events = {e.created_at: e.id for e in current(report.case_number).events if e.public}
    assert listed == [
        {
            "update_id": str(events[at]),
            "service_request_id": report.case_number,
            "status": status,
            "updated_datetime": w3c(at),
            "description": text,
            "media_url": "",
            "external_status_code": ours,
        }
        for at, status, ours, text in [
            # Filing itself is no update (a partner would post "Eingegangen" under everything).
            (filed + timedelta(hours=1), "in_progress", "in_progress", "In Bearbeitung"),
            # A note carries the status its report had then.
            (filed + timedelta(hours=2), "in_progress", "in_progress", "Ersatzteil bestellt."),
            (filed + timedelta(hours=4), "fixed", "resolved", "Repariert."),
        ]
    ]
    assert listed[1]["update_id"] == str(note)


def test_never_internal_notes_authors_or_personal_data(client, make_report):
    report = make_report(
        reporter_name="Zora Quellwasser",
        reporter_email="zora.quellwasser@example.org",
        reporter_phone="0212 9876543",
        description="Laterne dunkel, Zora Quellwasser wohnt nebenan.",
    )
    when = report.created_at + timedelta(minutes=5)
    add_event(report, EventKind.INTERNAL_NOTE, when, "INTERN: Anwohnerin ruft oft an.", False)
    add_event(report, EventKind.PUBLIC_NOTE, when, "Wird geprüft.", True)
    for fmt in ("json", "xml"):
        body = client.get(f"{BASE}/servicerequestupdates.{fmt}").get_data(as_text=True)
        assert "Wird geprüft." in body
        for secret in ("Quellwasser", "9876543", "INTERN", "Sachbearbeitung", "Laterne dunkel"):
            assert secret not in body, (fmt, secret)


def test_the_window_filters_on_the_update_time(client, make_report):
    now = datetime.now(UTC)
    old = make_report(age=timedelta(days=100))  # filed before the default window
    set_status(old, Status.ACCEPTED, now - timedelta(days=10))
    set_status(old, Status.IN_PROGRESS, now - timedelta(hours=1))

    def times(**query: str) -> list[str]:
        return [u["updated_datetime"] for u in updates_in_both(client, **query)]

    recent = [w3c(now - timedelta(days=10)), w3c(now - timedelta(hours=1))]
    assert times() == recent  # the last 90 days
    two_hours = {"start_date": w3c(now - timedelta(hours=2)), "end_date": w3c(now)}
    assert times(**two_hours) == recent[1:]
    assert times(end_date=w3c(now - timedelta(days=1))) == recent[:1]
    # A lone start_date means the 90 days after it: they hold only the filing, no update.
    assert times(start_date=w3c(now - timedelta(days=101))) == []
    # Without an offset, a time is the city's.
    local = (now - timedelta(hours=2)).astimezone(ZoneInfo("Europe/Berlin"))
    assert times(start_date=local.strftime("%Y-%m-%dT%H:%M:%S")) == recent[1:]


def test_at_most_a_page_oldest_first(client, make_report, app, monkeypatch):
    monkeypatch.setitem(app.config, "OPEN311_PAGE_SIZE", 2)
    report = make_report(age=timedelta(hours=5))
    for hours, status in ((4, Status.ACCEPTED), (3, Status.IN_PROGRESS), (2, Status.RESOLVED)):
        set_status(report, status, datetime.now(UTC) - timedelta(hours=hours))
    first = updates_in_both(client)
    assert [u["status"] for u in first] == ["investigating", "in_progress"]
    # The next page: from the last one's time on (a client skips the update_ids it holds).
    rest = updates_in_both(client, start_date=first[-1]["updated_datetime"])
    assert [u["status"] for u in rest] == ["in_progress", "fixed"]


def test_rejected_reports_are_gone(client, make_report, login_as):
    case = make_report(description="Werbung!").case_number
    login_as("dispatcher")
    assert act(client, case, "ablehnen", reason="spam").status_code == 302
    assert updates_in_both(client) == []


@pytest.mark.parametrize(
    ("query", "start"),
    [
        ({"start_date": "gestern"}, "start_date:"),
        ({"end_date": "2026-13-01T00:00:00Z"}, "end_date:"),
        ({"start_date": "2026-12-02T00:00:00Z", "end_date": "2026-12-01T00:00:00Z"}, "start_date:"),
        (
            {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"},
            "end_date: Höchstens 90 Tage nach start_date.",
        ),
        ({"start_date": "0001-01-01T00:00:00Z"}, "start_date:"),
        ({"jurisdiction_id": "koeln.de"}, "jurisdiction_id:"),
    ],
)
def test_bad_dates_are_400_naming_the_parameter(client, query, start):
    status = 404 if "jurisdiction_id" in query else 400
    messages = errors_in_both(client, "servicerequestupdates.{fmt}", status, query_string=query)
    assert messages[0].startswith(start), messages


def test_a_get_with_fixmystreets_key_and_jurisdiction_is_answered(client, partner_key):
    # FixMyStreet sends its key on GET as well, in the query string; GET needs none.
    updates_in_both(client, api_key=partner_key, jurisdiction_id="solingen.de")


# --- POST -----------------------------------------------------------------------------------


def test_partner_status_change_mails_the_reporter_and_is_listed_back(client, partner_key, case):
    receipts = db.session.scalar(select(func.count()).select_from(OutboxMail))
    response = post_update(client, fields(partner_key, case, status="FIXED"))
    update_id = posted_id(response)
    report = current(case)
    assert report.status == Status.RESOLVED and report.closed_at is not None
    event = report.events[-1]
    assert str(event.id) == update_id
    assert (event.kind, event.status, event.note, event.public) == (
        EventKind.STATUS_CHANGE,
        "resolved",
        "Die Laterne brennt wieder.",
        True,
    )
    assert event.author == f"Partner: {PARTNER}" and event.author_id is None
    [mail] = status_mails()
    assert mail.recipient == REPORTER["email"]
    assert "Erledigt" in mail.subject
    assert f"Hinweis von {PARTNER}:" in mail.body_text
    assert "Die Laterne brennt wieder." in mail.body_text
    assert db.session.scalar(select(func.count()).select_from(OutboxMail)) == receipts + 1
    [listed] = [u for u in updates_in_both(client) if u["update_id"] == update_id]
    assert listed["status"] == "fixed" and listed["description"] == "Die Laterne brennt wieder."
    assert listed["service_request_id"] == case


def test_the_commenters_personal_data_is_not_stored(client, partner_key, case):
    posted_id(post_update(client, fields(partner_key, case)))
    report = current(case)
    stored = [
        str(value)
        for row in (report, *report.events)
        for value in vars(row).values()
        if isinstance(value, str)
    ]
    for secret in ("Kurt", "Kommentator", "kommentar.schreiber", "1112223", "fms-konto"):
        assert not any(secret in value for value in stored), secret
    assert report.reporter_email == REPORTER["email"]  # the reporter's own stays


def test_the_staff_timeline_and_the_public_page_name_the_partner(
    client, partner_key, case, login_as
):
    posted_id(post_update(client, fields(partner_key, case, status="IN_PROGRESS")))
    note = fields(partner_key, case, status="IN_PROGRESS", update_id="4712", description="Danke!")
    posted_id(post_update(client, note))
    public = client.get(f"/meldungen/{case}").get_data(as_text=True)
    assert f"laut {PARTNER}" in public and f"Hinweis von {PARTNER}" in public
    assert "Hinweis der Stadt" not in public and "Kommentator" not in public
    staff = login_as("dispatcher").get(f"/staff/meldungen/{case}").get_data(as_text=True)
    assert f"Partner: {PARTNER}" in staff


def test_the_same_status_makes_a_public_note_without_mail(client, partner_key, case):
    update_id = posted_id(post_update(client, fields(partner_key, case, status="OPEN")))
    report = current(case)
    assert report.status == Status.RECEIVED
    event = report.events[-1]
    assert (event.kind, event.status, event.public) == (EventKind.PUBLIC_NOTE, None, True)
    assert status_mails() == []
    [listed] = [u for u in updates_in_both(client) if u["update_id"] == update_id]
    assert (listed["status"], listed["description"]) == ("open", "Die Laterne brennt wieder.")


def test_answers_in_xml(client, partner_key, case):
    update_id = posted_xml_id(post_update(client, fields(partner_key, case), "xml"))
    assert update_id == str(current(case).events[-1].id)


def test_a_retry_gets_the_first_answer_and_changes_nothing(client, partner_key, case):
    first = posted_id(post_update(client, fields(partner_key, case)))
    before = state(case)
    # Sent again after a lost answer, even with other values: the same update, once.
    again = post_update(client, fields(partner_key, case, status="REOPEN", description="Neu"))
    assert posted_id(again) == first
    assert posted_xml_id(post_update(client, fields(partner_key, case), "xml")) == first
    assert state(case) == before
    assert len(status_mails()) == 1


def test_update_ids_are_the_partners_own_per_key(client, partner_key, case):
    other_key = new_key("Andere App", can_update=True)
    other_case = file_report(client, other_key)
    first = posted_id(post_update(client, fields(partner_key, case)))
    second = posted_id(post_update(client, fields(other_key, other_case)))  # same "4711"
    assert first != second


def test_an_update_id_names_one_report(client, partner_key, case):
    posted_id(post_update(client, fields(partner_key, case)))
    second_case = file_report(client, partner_key)
    before = state(second_case)
    [message] = errors_in_both(
        client,
        "servicerequestupdates.{fmt}",
        400,
        "post",
        data=fields(partner_key, second_case),
    )
    assert message.startswith("update_id:")
    assert state(second_case) == before


def test_a_staff_change_still_speaks_for_the_city(client, case, login_as):
    login_as("dispatcher")
    act(client, case, "status", status="accepted", note="Wir sehen nach.", visibility="public")
    [mail] = status_mails()
    assert "Hinweis der Stadt:" in mail.body_text and "Partner" not in mail.body_text


@pytest.mark.parametrize(
    ("value", "before", "after"),
    [
        ("FIXED", Status.IN_PROGRESS, Status.RESOLVED),
        ("ACTION_SCHEDULED", Status.RECEIVED, Status.IN_PROGRESS),
        ("INVESTIGATING", Status.RECEIVED, Status.ACCEPTED),
        ("CLOSED", Status.IN_PROGRESS, Status.RESOLVED),
        ("CLOSED", Status.WONT_FIX, Status.WONT_FIX),
        ("OPEN", Status.IN_PROGRESS, Status.IN_PROGRESS),
        ("OPEN", Status.RESOLVED, Status.RECEIVED),
        ("REOPEN", Status.DUPLICATE, Status.RECEIVED),
        ("DUPLICATE", Status.ACCEPTED, Status.DUPLICATE),
        ("NOT_COUNCILS_RESPONSIBILITY", Status.RECEIVED, Status.NOT_RESPONSIBLE),
        ("NO_FURTHER_ACTION", Status.ACCEPTED, Status.WONT_FIX),
    ],
)
def test_upper_case_values_map_to_our_statuses(client, partner_key, case, value, before, after):
    report = current(case)
    if before != Status.RECEIVED:
        # At the time the test's transaction began, which is the database's now() throughout.
        set_status(report, before, report.created_at)
    posted_id(post_update(client, fields(partner_key, case, status=value)))
    report = current(case)
    assert report.status == after
    assert report.events[-1].kind == (
        EventKind.STATUS_CHANGE if after != before else EventKind.PUBLIC_NOTE
    )


def test_the_mapping_covers_both_directions():
    # Every status of ours goes out as a value of the extension, and comes back as itself.
    assert set(statuses.OUTGOING) == set(Status)
    assert set(statuses.OUTGOING.values()) <= set(UPDATE_STATUSES)
    assert sorted(v.lower() for v in statuses.VALUES) == sorted(UPDATE_STATUSES)
    for status, value in statuses.OUTGOING.items():
        assert statuses.incoming(value.upper(), status) == status
    for value in statuses.VALUES:
        for current_status in Status:
            assert statuses.incoming(value, current_status) in Status


# --- refusals -------------------------------------------------------------------------------


def refused(client: FlaskClient, case: str, status: int, data: dict, **kw: Any) -> list[str]:
    """The error descriptions (the same in JSON and XML); the report stays as it was."""
    before = state(case)
    messages = errors_in_both(
        client, "servicerequestupdates.{fmt}", status, "post", data=data, **kw
    )
    assert state(case) == before
    return messages


@pytest.mark.parametrize("key", [None, "", "falsch", "x" * 1000])
def test_missing_or_wrong_key_is_403(client, case, key):
    [message] = refused(client, case, 403, fields(key, case))
    assert message.startswith("api_key:")


def test_a_key_without_update_rights_is_403(client, case):
    filer = new_key("Nur-Melden-App")
    filed = file_report(client, filer)
    [message] = refused(client, filed, 403, fields(filer, filed))
    assert "keine Updates" in message


def test_a_revoked_key_is_403(client, partner_key, case):
    db.session.execute(update(ApiKey).values(active=False))
    db.session.commit()
    refused(client, case, 403, fields(partner_key, case))


def test_only_the_key_that_filed_a_report_may_update_it(client, partner_key, case, make_report):
    other = new_key("Andere App", can_update=True)
    [message] = refused(client, case, 403, fields(other, case))
    assert message.startswith("api_key:") and case in message
    web_report = make_report().case_number  # filed through the form: no partner's
    refused(client, web_report, 403, fields(partner_key, web_report))


@pytest.mark.parametrize("request_id", ["2026-999999", "kein/fall", "x" * 30, "2026\x00"])
def test_an_unknown_report_is_404(client, partner_key, case, request_id):
    [message] = refused(client, case, 404, fields(partner_key, request_id))
    assert message.startswith("service_request_id:")


def test_missing_parameters_are_named_each(client, partner_key, case):
    data = {"api_key": partner_key, "description": "  "}
    messages = refused(client, case, 400, data)
    assert messages == [
        f"{name}: Fehlt."
        for name in (
            "service_request_id",
            "update_id",
            "status",
            "updated_datetime",
            "description",
        )
    ]


@pytest.mark.parametrize(
    ("overrides", "start"),
    [
        ({"status": "ERLEDIGT"}, "status: Unbekannter Wert"),
        ({"status": "fixed"}, "status: Bitte in Großbuchstaben: FIXED."),
        ({"status": "Open"}, "status: Bitte in Großbuchstaben: OPEN."),
        ({"updated_datetime": "heute"}, "updated_datetime:"),
        ({"update_id": "mit leerzeichen"}, "update_id:"),
        ({"update_id": "x" * 101}, "update_id:"),
        ({"description": "x" * 2001}, "description: Die Beschreibung darf höchstens 2000"),
        ({"description": "kaputt\x1b[31m"}, "description: Der Text enthält unzulässige"),
    ],
)
def test_bad_parameters_are_400(client, partner_key, case, overrides, start):
    [message] = refused(client, case, 400, fields(partner_key, case, **overrides))
    assert message.startswith(start), message


def test_the_description_limit_is_the_rulebooks(client, partner_key, case, app, monkeypatch):
    monkeypatch.setitem(app.config, "DESCRIPTION_MAX_LENGTH", 4000)
    posted_id(post_update(client, fields(partner_key, case, description="x" * 4000)))


def test_a_key_in_the_address_is_refused(client, partner_key, case):
    data = fields(None, case)
    refused(client, case, 400, data, query_string={"api_key": partner_key})


def test_updates_are_rate_limited_per_key(client, partner_key, case, tiny_limit):
    for update_id in ("1", "2"):
        posted_id(post_update(client, fields(partner_key, case, update_id=update_id)))
    before = state(case)
    response = post_update(client, fields(partner_key, case, update_id="3"))
    assert check_json(response, {}, 429)[0]["description"].startswith("Zu viele Anfragen")
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    assert state(case) == before


# --- keys -----------------------------------------------------------------------------------


def test_create_key_with_update_rights(app: Flask):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["open311", "create-key", "Nur melden"]).exit_code == 0
    result = runner.invoke(args=["open311", "create-key", PARTNER, "--can-update"])
    assert result.exit_code == 0, result.output
    keys = {k.name: k.can_update for k in db.session.scalars(select(ApiKey))}
    assert keys == {"Nur melden": False, PARTNER: True}
    lines = runner.invoke(args=["open311", "list-keys"]).output.splitlines()
    assert [line.split("\t")[3:] for line in lines] == [
        ["meldet", "Nur melden"],
        ["meldet+aktualisiert", PARTNER],
    ]


def test_a_report_filed_through_open311_remembers_its_key(client, partner_key, case):
    stored = db.session.scalar(select(ApiKey).where(ApiKey.name == PARTNER))
    assert current(case).api_key_id == stored.id


# --- moderated publishing and late updates ------------------------------------------------------


def test_with_moderated_publishing_a_partners_text_stays_with_staff(
    client, app, monkeypatch, partner_key, case
):
    monkeypatch.setitem(app.config, "PUBLISHING", "moderated")
    text = "Ich, Zora Quellwasser, Tel. 0212 123, wohne nebenan: die Laterne brennt wieder."
    update_id = posted_id(post_update(client, fields(partner_key, case, description=text)))
    report = current(case)
    assert report.status == Status.RESOLVED
    change, note = report.events[-2:]
    assert (str(change.id), change.public, change.note) == (update_id, True, None)
    assert (note.kind, note.public, note.note) == (EventKind.INTERNAL_NOTE, False, text)
    [listed] = [u for u in updates_in_both(client) if u["update_id"] == update_id]
    assert listed["description"] == "Erledigt"
    [mail] = status_mails()
    assert "Quellwasser" not in mail.body_text
    page = client.get(f"/meldungen/{case}").get_data(as_text=True)
    assert "Quellwasser" not in page
    # A note alone (the status stays) is for staff too, and listed nowhere.
    same = fields(partner_key, case, update_id="4712", status="FIXED", description=text)
    quiet_id = posted_id(post_update(client, same))
    assert current(case).events[-1].public is False
    assert quiet_id not in {u["update_id"] for u in updates_in_both(client)}


def test_an_update_older_than_our_status_sets_no_status(client, partner_key, case):
    report = current(case)
    now = datetime.now(UTC)
    set_status(report, Status.RESOLVED, now)
    late = fields(
        partner_key,
        case,
        status="OPEN",
        updated_datetime=(now - timedelta(days=2)).isoformat(timespec="seconds"),
        description="Kommentar von vorgestern.",
    )
    update_id = posted_id(post_update(client, late))
    report = current(case)
    assert report.status == Status.RESOLVED
    [event] = [e for e in report.events if str(e.id) == update_id]
    assert (event.kind, event.note) == (EventKind.PUBLIC_NOTE, "Kommentar von vorgestern.")
    assert status_mails() == []


def test_an_existing_key_can_be_allowed_to_send_updates(app, client):
    key = new_key("Nachbar-App")  # filing only, as keys were before updates existed
    case = file_report(client, key)
    refused = post_update(client, fields(key, case))
    assert refused.status_code == 403 and current(case).status == Status.RECEIVED
    key_id = db.session.scalar(select(ApiKey.id).where(ApiKey.name == "Nachbar-App"))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["open311", "allow-updates", str(key_id)])
    assert result.exit_code == 0 and "meldet+aktualisiert" in result.output
    posted_id(post_update(client, fields(key, case)))
    assert current(case).status == Status.RESOLVED
    assert runner.invoke(args=["open311", "allow-updates", "999999"]).exit_code != 0
    taken = runner.invoke(args=["open311", "allow-updates", str(key_id), "--revoke"])
    assert taken.exit_code == 0
    again = post_update(client, fields(key, case, update_id="4799"))
    assert again.status_code == 403
