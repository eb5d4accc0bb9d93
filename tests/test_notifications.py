"""Reporters, followers and departments receive their mails — through a real SMTP server on
loopback — with the right recipient, subject, case number and link."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import OutboxMail, Report, Subscription
from app.notifications.outbox import send_due
from tests.fixtures.staff import login
from tests.helpers import confirmation, form_data, post_report, tracking_link
from tests.mailbox import html_of, link_in, text_of

REPORTER = "melderin@example.org"
FOLLOWER = "nachbar@example.net"


def file(client, email: str | None = REPORTER, headers: dict | None = None) -> tuple[Report, str]:
    data = form_data(email=email, consent="y" if email else None)
    assert post_report(client, data, headers=headers or {}).status_code == 302
    link = tracking_link(confirmation(client))
    return db.session.scalar(select(Report).order_by(Report.id.desc()).limit(1)), link


def staff_act(client, email: str, case: str, action: str, **data: str) -> None:
    login(client, email)
    db.session.expire_all()
    version = db.session.scalar(select(Report.version).where(Report.case_number == case))
    response = client.post(
        f"/staff/meldungen/{case}/{action}", data={"version": str(version), **data}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    client.post("/abmelden")


def follow(client, case: str, email: str = FOLLOWER, language: str = "de"):
    return client.post(f"/meldungen/{case}/folgen", data={"email": email, "language": language})


def test_the_reporter_gets_a_receipt_with_case_number_and_tracking_link(client, mailbox):
    report, link = file(client)
    assert send_due()["sent"] == 2  # the receipt and the department's mail
    (receipt,) = mailbox.to(REPORTER)
    assert report.case_number in receipt["Subject"]
    assert link in text_of(receipt) and link in html_of(receipt)
    assert receipt["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/benachrichtigungen/abbestellen/" in receipt["List-Unsubscribe"]
    stored = db.session.scalar(select(OutboxMail).where(OutboxMail.kind == "receipt"))
    assert receipt["Message-ID"] == stored.message_id and stored.state == "sent"


def test_the_department_hears_of_new_and_forwarded_reports(client, mailbox, staff):
    report, _ = file(client, email=None)
    send_due()
    (new,) = mailbox.to("strassenbeleuchtung@example.org")
    assert report.case_number in new["Subject"]
    assert f"/staff/meldungen/{report.case_number}" in text_of(new)
    staff_act(
        client, "poststelle@example.org", report.case_number, "weiterleiten", department="tbs-gruen"
    )
    send_due()
    (moved,) = mailbox.to("gruenanlagen@example.org")
    assert "weitergeleitet" in moved["Subject"] and report.case_number in moved["Subject"]


def test_public_status_changes_reach_the_reporter_with_the_note(client, mailbox, staff):
    report, _ = file(client)
    send_due()
    case = report.case_number
    staff_act(
        client,
        "licht@example.org",
        case,
        "status",
        status="in_progress",
        note="Ersatzteil bestellt.",
        visibility="public",
    )
    staff_act(
        client,
        "licht@example.org",
        case,
        "status",
        status="resolved",
        note="Intern: Leiter kaputt",
        visibility="internal",
    )
    send_due()
    _receipt, progress, resolved = mailbox.to(REPORTER)
    assert progress["Subject"] == f"Meldung {case}: In Bearbeitung"
    assert "Ersatzteil bestellt." in text_of(progress) and "Ersatzteil bestellt." in html_of(
        progress
    )
    assert resolved["Subject"] == f"Meldung {case}: Erledigt"
    assert "Leiter" not in resolved.as_string()  # internal notes never leave the staff area
    assert f"/meldungen/{case}" in text_of(resolved)


def test_english_where_the_person_chose_it(client, mailbox, staff):
    report, _ = file(client, headers={"Accept-Language": "en-GB,en;q=0.9"})
    staff_act(client, "licht@example.org", report.case_number, "status", status="resolved")
    send_due()
    receipt, resolved = mailbox.to(REPORTER)
    assert receipt["Subject"] == f"Your report {report.case_number} has been received"
    assert resolved["Subject"] == f"Report {report.case_number}: Resolved"


def test_following_needs_confirmation_and_then_brings_every_update(client, mailbox, staff):
    report, _ = file(client, email=None)
    case = report.case_number
    response = follow(client, case)
    assert response.status_code == 302
    assert "bestätigen" in client.get(response.headers["Location"]).get_data(as_text=True)
    staff_act(client, "licht@example.org", case, "status", status="accepted")
    send_due()
    (ask,) = mailbox.to(FOLLOWER)  # the confirmation only: no update before opting in
    assert case in ask["Subject"] and "Bitte bestätigen" in ask["Subject"]
    confirm = link_in(text_of(ask), "/benachrichtigungen/bestaetigen/")
    assert client.get(confirm).status_code == 200  # a page with a button: scanners confirm nothing
    assert db.session.scalar(select(Subscription.confirmed_at)) is None
    assert client.post(confirm).status_code == 200
    staff_act(client, "licht@example.org", case, "status", status="resolved")
    send_due()
    assert [m["Subject"] for m in mailbox.to(FOLLOWER)][1:] == [f"Meldung {case}: Erledigt"]


def test_a_follow_request_answers_the_same_for_known_addresses(client, mailbox):
    report, _ = file(client)  # the reporter already follows
    first = follow(client, report.case_number, REPORTER)
    again = follow(client, report.case_number, FOLLOWER)
    assert first.status_code == again.status_code == 302
    follow(client, report.case_number, FOLLOWER)  # asked twice: one confirmation mail
    send_due()
    assert len(mailbox.to(REPORTER)) == 1  # the receipt, no confirmation request
    assert len(mailbox.to(FOLLOWER)) == 1


def unsubscribe_link(message) -> str:
    return link_in(text_of(message), "/benachrichtigungen/abbestellen/")


def test_unsubscribe_works_once_and_no_mail_follows(client, mailbox, staff):
    report, _ = file(client)
    send_due()
    link = unsubscribe_link(mailbox.to(REPORTER)[0])
    assert link == mailbox.to(REPORTER)[0]["List-Unsubscribe"].strip("<>")
    assert client.get(link).status_code == 200  # a page with one button: scanners change nothing
    assert db.session.scalar(select(func.count()).select_from(Subscription)) == 1
    done = client.post(link)
    assert done.status_code == 200 and "Abbestellt" in done.get_data(as_text=True)
    assert client.post(link).status_code == 410
    staff_act(client, "licht@example.org", report.case_number, "status", status="resolved")
    send_due()
    assert len(mailbox.to(REPORTER)) == 1  # still only the receipt


@pytest.mark.parametrize("change", ["flip", "cut", "other-purpose", "garbage"])
def test_a_tampered_unsubscribe_link_is_refused(client, mailbox, staff, change):
    report, _ = file(client)
    follow(client, report.case_number)
    send_due()
    link = unsubscribe_link(mailbox.to(REPORTER)[0])
    token = link.rsplit("/", 1)[1]
    confirm_token = link_in(text_of(mailbox.to(FOLLOWER)[0]), "bestaetigen/").rsplit("/", 1)[1]
    forged = {
        "flip": token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        "cut": token[:10],
        "other-purpose": confirm_token,  # a confirmation link cannot unsubscribe anyone
        "garbage": "x" * 300,
    }[change]
    response = client.post(f"/benachrichtigungen/abbestellen/{forged}")
    assert response.status_code in (404, 410)
    assert db.session.scalar(select(func.count()).select_from(Subscription)) == 2
    staff_act(client, "licht@example.org", report.case_number, "status", status="resolved")
    send_due()
    assert mailbox.to(REPORTER)[-1]["Subject"].endswith("Erledigt")


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("", "Bitte geben Sie Ihre E-Mail-Adresse an."),
        ("kein-at-zeichen", "gültige E-Mail-Adresse"),
        ("a@b", "gültige E-Mail-Adresse"),
        ("opfer@example.org\r\nBcc: alle@example.org", "gültige E-Mail-Adresse"),
        ("opfer@example.org\nSubject: Spam", "gültige E-Mail-Adresse"),
        ("<script>alert(1)</script>@example.org", "gültige E-Mail-Adresse"),
        ("x\x00y@example.org", "gültige E-Mail-Adresse"),
        ("a" * 250 + "@example.org", "Höchstens 254 Zeichen."),
    ],
)
def test_hostile_follow_addresses_are_refused(client, address, message):
    report, _ = file(client, email=None)
    before = db.session.scalar(select(func.count()).select_from(OutboxMail))
    response = follow(client, report.case_number, address)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page and "<script>alert" not in page
    assert db.session.scalar(select(func.count()).select_from(Subscription)) == 0
    assert db.session.scalar(select(func.count()).select_from(OutboxMail)) == before


def test_unknown_language_and_report_are_refused(client):
    report, _ = file(client, email=None)
    assert follow(client, report.case_number, language="fr").status_code == 422
    assert follow(client, "2099-999999").status_code == 404


def test_a_duplicate_points_its_reporter_to_the_original(client, mailbox, staff):
    original, _ = file(client, email=None)
    duplicate, _ = file(client)
    staff_act(
        client,
        "poststelle@example.org",
        duplicate.case_number,
        "duplikat",
        original=original.case_number,
        bestaetigt="1",
    )
    send_due()
    closed = mailbox.to(REPORTER)[-1]
    assert closed["Subject"] == f"Meldung {duplicate.case_number}: Duplikat"
    assert f"/meldungen/{original.case_number}" in text_of(closed)
    staff_act(client, "licht@example.org", original.case_number, "status", status="resolved")
    send_due()
    assert mailbox.to(REPORTER)[-1]["Subject"] == f"Meldung {original.case_number}: Erledigt"


def test_no_mail_is_written_when_the_change_fails(client, mailbox):
    outside = form_data(email=REPORTER, consent="y", lat="52.52", lon="13.40")  # Berlin
    assert post_report(client, outside).status_code == 422
    assert db.session.scalar(select(func.count()).select_from(OutboxMail)) == 0
    assert send_due()["sent"] == 0 and mailbox.messages == []


def test_spellings_of_one_address_get_one_confirmation(client, mailbox):
    report, _ = file(client, email=None)
    for spelling in ("Nachbar@Example.net", " nachbar@example.net ", "NACHBAR@EXAMPLE.NET"):
        assert follow(client, report.case_number, spelling).status_code == 302
    send_due()
    assert len(mailbox.to(FOLLOWER)) == 1


def test_nobody_can_flood_a_strangers_inbox_through_many_reports(client, mailbox):
    cases = [file(client, email=None)[0].case_number for _ in range(5)]
    for case in cases:
        follow(client, case)
    send_due()
    assert len(mailbox.to(FOLLOWER)) == 3  # CONFIRMS_PER_DAY


def test_followers_of_a_duplicate_follow_the_original(client, mailbox, staff):
    original, _ = file(client, email=None)
    duplicate, _ = file(client, email=None)
    follow(client, duplicate.case_number)
    send_due()
    client.post(link_in(text_of(mailbox.to(FOLLOWER)[0]), "/benachrichtigungen/bestaetigen/"))
    staff_act(
        client,
        "poststelle@example.org",
        duplicate.case_number,
        "duplikat",
        original=original.case_number,
        bestaetigt="1",
    )
    staff_act(client, "licht@example.org", original.case_number, "status", status="resolved")
    send_due()
    subjects = [m["Subject"] for m in mailbox.to(FOLLOWER)]
    assert subjects[-1] == f"Meldung {original.case_number}: Erledigt"


def test_a_delivered_mail_keeps_no_tracking_link(client, mailbox):
    _, link = file(client)
    send_due()
    stored = db.session.scalar(select(OutboxMail).where(OutboxMail.kind == "receipt"))
    assert stored.state == "sent" and link not in stored.body_text + stored.body_html
