"""'Ist der Mangel behoben?': the reporter's status mail for a resolution — through a real SMTP
server on loopback — asks with two signed links; "Nein" reopens the report (public "Wieder
offen", the comment internal, back in the department's queue), "Ja" records the confirmation,
and the transparency page counts both per department. Forged links, a second answer, a link
of an earlier resolution and an answer after REOPEN_DAYS get a clear page and change nothing."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from app.extensions import db
from app.models import (
    EventKind,
    OutboxMail,
    Report,
    ResolutionFeedback,
    Status,
    Subscription,
    TimelineEvent,
    User,
)
from app.models.inquiry import REPORTER as REPORTER_LABEL
from app.notifications import tokens
from app.notifications.outbox import send_due
from app.public.filters import BERLIN
from app.staff.service import queue
from app.stats.service import latest, refresh
from tests.fixtures.reports import current, public_urls
from tests.fixtures.staff import ACCOUNTS, act
from tests.mailbox import html_of, link_in, text_of

REPORTER = "melderin@example.org"
FOLLOWER = "nachbar@example.net"
DEPARTMENT = "strassenbeleuchtung@example.org"
COMMENT = "Die Laterne ist abends immer noch dunkel. Ich wohne in Nummer 14, Tel. 0212 123456."


@pytest.fixture
def case(make_report, staff) -> str:
    """A street light report whose reporter gave an address, with a confirmed follower."""
    report = make_report(description="Laterne dunkel.", reporter_email=REPORTER, published=True)
    db.session.add(
        Subscription(
            report_id=report.id, email=FOLLOWER, language="de", confirmed_at=datetime.now(UTC)
        )
    )
    db.session.commit()
    return report.case_number


def resolve(client, login_as, case: str, status: str = "resolved") -> None:
    login_as("crew_light")
    response = act(client, case, "status", status=status, visibility="public")
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    client.post("/abmelden")


def mailed_links(mailbox, case: str) -> tuple[str, str]:
    """The reporter's "Ja" and "Nein" links from the newest resolution mail (as paths)."""
    send_due()
    mails = [m for m in mailbox.to(REPORTER) if m["Subject"] == f"Meldung {case}: Erledigt"]
    text = text_of(mails[-1])
    yes, no = link_in(text, "/behoben/"), link_in(text, "/nein")
    return path(yes), path(no)


def path(link: str) -> str:
    return link[link.index("/behoben/") :]


def stored() -> tuple[int, int, int, list[tuple[str | None, object]]]:
    """Timeline events, mails and answers: what a refused answer must not change."""
    db.session.expire_all()
    answers = db.session.execute(
        select(ResolutionFeedback.answer, ResolutionFeedback.answered_at).order_by(
            ResolutionFeedback.id
        )
    ).all()
    return (
        db.session.scalar(select(func.count()).select_from(TimelineEvent)),
        db.session.scalar(select(func.count()).select_from(OutboxMail)),
        db.session.scalar(select(func.count()).select_from(ResolutionFeedback)),
        [tuple(row) for row in answers],
    )


def page_text(response) -> str:
    return response.get_data(as_text=True)


def test_only_the_reporters_resolution_mail_asks(client, case, login_as, mailbox):
    resolve(client, login_as, case)
    send_due()
    (to_reporter,) = [m for m in mailbox.to(REPORTER) if "Erledigt" in m["Subject"]]
    (to_follower,) = [m for m in mailbox.to(FOLLOWER) if "Erledigt" in m["Subject"]]
    text = text_of(to_reporter)
    assert "Ist der Mangel behoben?" in text
    yes, no = link_in(text, "/ja"), link_in(text, "/nein")
    assert yes in html_of(to_reporter) and no in html_of(to_reporter)
    assert yes.rsplit("/", 1)[0] == no.rsplit("/", 1)[0]  # one token, two answers
    # The mail's date is the city's (Europe/Berlin), not the machine's.
    deadline = (datetime.now(UTC) + timedelta(days=28)).astimezone(BERLIN).strftime("%d.%m.%Y")
    assert f"bis zum {deadline}" in text
    assert "/behoben/" not in text_of(to_follower) + html_of(to_follower)
    reporter, follower = db.session.scalars(select(Subscription).order_by(Subscription.id))
    assert (reporter.email, reporter.reporter) == (REPORTER, True)
    assert (follower.email, follower.reporter) == (FOLLOWER, False)
    feedback = db.session.scalar(select(ResolutionFeedback))
    assert feedback.answer is None and feedback.department_id == current(case).department_id
    # No other status asks.
    assert [m for m in mailbox.messages if "/behoben/" in text_of(m)] == [to_reporter]


def test_the_question_comes_in_the_reporters_language(
    client, make_report, staff, login_as, mailbox
):
    report = make_report(reporter_email=REPORTER, language="en")
    resolve(client, login_as, report.case_number)
    send_due()
    (mail,) = [m for m in mailbox.to(REPORTER) if "Resolved" in m["Subject"]]
    assert "Has the defect been fixed?" in text_of(mail)
    assert "/behoben/" in text_of(mail)


def test_no_question_without_a_reporters_address(client, make_report, staff, login_as):
    report = make_report()
    resolve(client, login_as, report.case_number)
    assert db.session.scalar(select(func.count()).select_from(ResolutionFeedback)) == 0


def test_nein_reopens_into_the_departments_queue(client, case, login_as, mailbox):
    crew = db.session.scalar(select(User).where(User.email == ACCOUNTS["crew_light"].email))
    login_as("dispatcher")
    act(client, case, "zuweisen", assignee=str(crew.id))
    client.post("/abmelden")
    resolve(client, login_as, case)
    _, no = mailed_links(mailbox, case)
    before = stored()

    page = client.get(no)  # a link scanner opens it: nothing happens
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store, private"
    assert "Nein, Meldung wieder öffnen" in page_text(page)
    assert stored() == before and current(case).status == Status.RESOLVED

    answer = client.post(no, data={"kommentar": COMMENT})
    assert answer.status_code == 303
    thanks = client.get(answer.headers["Location"])
    assert f"Die Meldung {case} ist wieder offen." in page_text(thanks)

    report = current(case)
    assert report.status == Status.REOPENED and report.closed_at is None
    assert report.assignee_id is None
    change, note, unassigned = [e for e in report.events if e.author == REPORTER_LABEL]
    assert (change.kind, change.status, change.public, change.note) == (
        EventKind.STATUS_CHANGE,
        "reopened",
        True,
        None,
    )
    assert (note.kind, note.public, note.note) == (EventKind.INTERNAL_NOTE, False, COMMENT)
    feedback = db.session.scalar(select(ResolutionFeedback))
    assert (feedback.answer, feedback.comment_event_id) == ("reopened", note.id)
    assert "Zuweisung an Licht aufgehoben" in unassigned.note and not unassigned.public

    # Back in the department's queue, for its crew as for the dispatchers.
    assert case in [r.case_number for r in queue(crew)]
    assert case in [r.case_number for r in queue(crew, only=_reopened_only())]

    send_due()
    (to_department,) = [m for m in mailbox.to(DEPARTMENT) if "wieder offen" in m["Subject"]]
    assert to_department["Subject"] == f"Meldung {case} wieder offen: Straßenbeleuchtung defekt"
    assert COMMENT in text_of(to_department)
    assert f"/staff/meldungen/{case}" in text_of(to_department)
    # Reporter and follower hear of the new status, without the comment.
    for address in (REPORTER, FOLLOWER):
        (mail,) = [m for m in mailbox.to(address) if m["Subject"].endswith("Wieder offen")]
        assert COMMENT not in text_of(mail) and "/behoben/" not in text_of(mail)


def _reopened_only():
    from app.staff.service import QueueFilter

    return QueueFilter(status="reopened")


def test_the_public_sees_wieder_offen_but_never_the_comment(client, case, login_as, mailbox):
    resolve(client, login_as, case)
    _, no = mailed_links(mailbox, case)
    client.post(no, data={"kommentar": COMMENT})
    public = client.get(f"/meldungen/{case}")
    assert "Wieder offen" in page_text(public)
    everything = "\n".join(page_text(client.get(url)) for url in public_urls([current(case)]))
    assert COMMENT[:30] not in everything and "0212" not in everything
    assert REPORTER not in everything and FOLLOWER not in everything
    request = client.get(f"/open311/v2/requests/{case}.json?extensions=true").get_json()[0]
    assert request["status"] == "open"
    assert request["extended_attributes"]["detailed_status"] == "reopened"
    assert case in page_text(client.get("/meldungen?status=open"))


def test_the_inbox_publishes_the_comment_in_its_own_words_once(client, case, login_as, mailbox):
    resolve(client, login_as, case)
    _, no = mailed_links(mailbox, case)
    client.post(no, data={"kommentar": COMMENT})
    login_as("crew_light")
    crew_page = client.get(f"/staff/meldungen/{case}").get_data(as_text=True)
    assert COMMENT in crew_page and "kommentar-veroeffentlichen" not in crew_page
    feedback = db.session.scalar(select(ResolutionFeedback))
    refused = act(client, case, "kommentar-veroeffentlichen", antwort=str(feedback.id))
    assert refused.status_code == 403
    client.post("/abmelden")
    login_as("dispatcher")
    page = client.get(f"/staff/meldungen/{case}").get_data(as_text=True)
    assert "Kommentar veröffentlichen" in page
    edited = "Die Laterne flackert weiterhin."
    done = act(client, case, "kommentar-veroeffentlichen", antwort=str(feedback.id), text=edited)
    assert done.status_code == 302
    public = page_text(client.get(f"/meldungen/{case}"))
    assert edited in public and COMMENT[:30] not in public
    again = act(client, case, "kommentar-veroeffentlichen", antwort=str(feedback.id), text="x")
    assert again.status_code == 422 and "bereits veröffentlicht" in again.get_data(as_text=True)
    other = act(client, case, "kommentar-veroeffentlichen", antwort="999999", text="x")
    assert other.status_code == 422


def test_ja_records_the_confirmation_and_keeps_it_resolved(client, case, login_as, mailbox):
    resolve(client, login_as, case)
    yes, _ = mailed_links(mailbox, case)
    assert "Ja, der Mangel ist behoben" in page_text(client.get(yes))
    answer = client.post(yes)
    assert answer.status_code == 303
    assert "Ihre Bestätigung zur Meldung" in page_text(client.get(answer.headers["Location"]))
    report = current(case)
    assert report.status == Status.RESOLVED
    feedback = db.session.scalar(select(ResolutionFeedback))
    assert feedback.answer == "confirmed" and feedback.answered_at is not None
    assert report.events[-1].note == "Die meldende Person bestätigt: Der Mangel ist behoben."
    assert report.events[-1].public is False


@pytest.mark.parametrize("first, second", [("ja", "nein"), ("nein", "ja"), ("nein", "nein")])
def test_a_resolution_is_answered_once(client, case, login_as, mailbox, first, second):
    resolve(client, login_as, case)
    links = dict(zip(("ja", "nein"), mailed_links(mailbox, case), strict=True))
    assert client.post(links[first]).status_code == 303
    before, status = stored(), current(case).status
    again = client.post(links[second], data={"kommentar": "Noch einmal."})
    assert again.status_code == 410
    assert "Diese Frage ist bereits beantwortet" in page_text(again)
    assert client.get(links[second]).status_code == 410
    assert stored() == before and current(case).status == status


def test_forged_and_altered_links_change_nothing(client, case, login_as, mailbox):
    resolve(client, login_as, case)
    _, no = mailed_links(mailbox, case)
    feedback = db.session.scalar(select(ResolutionFeedback))
    token = no.split("/")[2]
    before = stored()
    forged = [
        "/behoben/nicht-signiert/nein",
        f"/behoben/{token[:-2]}xx/nein",
        f"/behoben/{'A' * 300}/nein",
        # Signed by us, but for another purpose: an unsubscribe link of the same number.
        f"/behoben/{tokens.sign('unsubscribe', feedback.id)}/nein",
    ]
    for url in forged:
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 404, url
            assert "Dieser Link ist ungültig" in page_text(response)
            assert case not in page_text(response)
    assert client.get(f"/behoben/{token}/vielleicht").status_code == 404
    assert client.post(f"/behoben/{token}/vielleicht").status_code == 404
    assert stored() == before and current(case).status == Status.RESOLVED


def test_an_old_link_cannot_reopen_a_later_resolution(client, case, login_as, mailbox):
    resolve(client, login_as, case)
    _, first_no = mailed_links(mailbox, case)
    resolve(client, login_as, case, "in_progress")
    assert client.get(first_no).status_code == 410  # no longer resolved
    resolve(client, login_as, case)
    _, second_no = mailed_links(mailbox, case)
    assert second_no != first_no
    before = stored()
    refused = client.post(first_no, data={"kommentar": "Alt."})
    assert refused.status_code == 410 and "Diese Frage gilt nicht mehr" in page_text(refused)
    assert stored() == before and current(case).status == Status.RESOLVED
    assert client.post(second_no).status_code == 303
    assert current(case).status == Status.REOPENED


def test_a_report_closed_otherwise_meanwhile_cannot_be_reopened(client, case, login_as, mailbox):
    resolve(client, login_as, case)
    _, no = mailed_links(mailbox, case)
    resolve(client, login_as, case, "wont_fix")
    before = stored()
    refused = client.post(no)
    assert refused.status_code == 410 and "Nicht lösbar" in page_text(refused)
    assert stored() == before and current(case).status == Status.WONT_FIX


def test_after_reopen_days_the_page_offers_a_new_report_there(client, case, login_as, mailbox):
    resolve(client, login_as, case)
    yes, no = mailed_links(mailbox, case)
    long_ago = datetime.now(UTC) - timedelta(days=28, minutes=1)
    db.session.execute(update(ResolutionFeedback).values(resolved_at=long_ago))
    db.session.commit()
    before = stored()
    for url in (yes, no):
        for response in (client.get(url), client.post(url, data={"kommentar": "Zu spät."})):
            assert response.status_code == 410
            assert "Die Frist für eine Antwort ist vorbei" in page_text(response)
    assert stored() == before and current(case).status == Status.RESOLVED
    page = page_text(client.get(no))
    offer = re.search(r'href="(/melden\?[^"]+)"', page)
    assert offer is not None
    report = current(case)
    form = page_text(client.get(offer.group(1).replace("&amp;", "&")))
    assert f'value="{report.lat:.6f}"' in form and f'value="{report.lon:.6f}"' in form


def test_a_day_before_the_deadline_it_still_works(client, case, login_as, mailbox):
    resolve(client, login_as, case)
    _, no = mailed_links(mailbox, case)
    almost = datetime.now(UTC) - timedelta(days=27)
    db.session.execute(update(ResolutionFeedback).values(resolved_at=almost))
    db.session.commit()
    assert client.post(no).status_code == 303
    assert current(case).status == Status.REOPENED


@pytest.mark.parametrize(
    "comment, message",
    [
        ("x" * 1001, "höchstens 1000 Zeichen"),
        ("Laterne\x00dunkel", "Steuerzeichen"),
        ("Escape \x1b[31m", "Steuerzeichen"),
    ],
)
def test_a_hostile_comment_is_refused_and_nothing_changes(
    client, case, login_as, mailbox, comment, message
):
    resolve(client, login_as, case)
    _, no = mailed_links(mailbox, case)
    before = stored()
    refused = client.post(no, data={"kommentar": comment})
    assert refused.status_code == 422
    assert message in page_text(refused) and 'aria-invalid="true"' in page_text(refused)
    assert stored() == before and current(case).status == Status.RESOLVED
    assert client.post(no, data={"kommentar": "Immer noch dunkel."}).status_code == 303


@pytest.mark.parametrize(
    "query", ["lat=abc&lon=7.08", "lat=51.17", "lat=nan&lon=inf", "lat=91&lon=7", "lon=" + "9" * 50]
)
def test_the_new_report_form_leaves_out_a_place_that_is_none(client, query):
    page = client.get(f"/melden?{query}")
    assert page.status_code == 200
    for name in ("lat", "lon"):
        field = re.search(rf'<input[^>]*id="{name}"[^>]*>', page_text(page))
        assert field is not None and 'value=""' in field.group(0)


def test_transparency_counts_answers_per_department(client, make_report, staff, login_as):
    cases = [
        make_report(reporter_email=f"m{i}@example.org", published=True).case_number
        for i in range(4)
    ]
    for case in cases:
        resolve(client, login_as, case)
    links = []
    for case in cases[:3]:
        feedback = db.session.scalar(
            select(ResolutionFeedback).where(ResolutionFeedback.report_id == current(case).id)
        )
        links.append(tokens.sign("feedback", feedback.id))
    client.post(f"/behoben/{links[0]}/ja")
    client.post(f"/behoben/{links[1]}/ja")
    client.post(f"/behoben/{links[2]}/nein")
    refresh()
    db.session.commit()
    page = page_text(client.get("/transparenz?zeitraum=30"))
    assert "Ist der Mangel behoben? Antworten der Meldenden" in page
    feedback = latest().figures["periods"]["30"]["feedback"]
    (light,) = [d for d in feedback["department"] if d["code"] == "tbs-licht"]
    assert (light["asked"], light["confirmed"], light["reopened"]) == (4, 2, 1)
    assert (light["confirmed_share"], light["reopened_share"]) == (50.0, 25.0)
    assert "50,0 %" in page and "25,0 %" in page


def test_the_comment_goes_with_the_contact_data(client, case, login_as, mailbox):
    from app.privacy.service import purge

    resolve(client, login_as, case)
    _, no = mailed_links(mailbox, case)
    client.post(no, data={"kommentar": COMMENT})
    resolve(client, login_as, case)
    assert purge(180)["answers"] == 0  # closed only just now
    long_ago = datetime.now(UTC) - timedelta(days=400)
    db.session.execute(update(Report).where(Report.case_number == case).values(closed_at=long_ago))
    assert purge(180)["answers"] == 1
    assert COMMENT not in [e.note for e in current(case).events]
    answers = db.session.scalars(
        select(ResolutionFeedback.answer).order_by(ResolutionFeedback.id)
    ).all()
    assert answers == ["reopened", None]  # the statistics keep their figures
