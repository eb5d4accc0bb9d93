"""Rückfrage an den Meldenden: staff ask by mail, the reporter answers once through a link that
is stored only hashed and expires; the answer is internal until the inbox publishes it. Every
hostile answer and every used, expired or forged link gets a German page and stores nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import EventKind, Inquiry, OutboxMail, TimelineEvent
from app.notifications.outbox import send_due
from tests.fixtures.reports import current, public_urls
from tests.fixtures.staff import ACCOUNTS, act
from tests.mailbox import html_of, link_in, text_of

REPORTER = "melderin@example.org"
QUESTION = "Steht die Laterne vor Hausnummer 12 oder 14?"
ANSWER = "Vor der 14, ich heiße Wilhelmine Wassermann."


@pytest.fixture
def case(make_report, staff) -> str:
    return make_report(description="Laterne dunkel.", reporter_email=REPORTER).case_number


def ask(client, case: str, question: str = QUESTION):
    return act(client, case, "rueckfrage", question=question)


def answer_link(case: str) -> str:
    """The answer link from the mail in the outbox (the database holds only its hash)."""
    mail = db.session.scalar(
        select(OutboxMail).where(OutboxMail.kind == "inquiry").order_by(OutboxMail.id.desc())
    )
    return link_in(mail.body_text, "/rueckfrage/")


def path(link: str) -> str:
    return link[link.index("/rueckfrage/") :]


def stored() -> tuple[int, int, int]:
    """Timeline events, answered questions and mails: what a refused answer must not change."""
    db.session.expire_all()
    answered = select(func.count()).select_from(Inquiry).where(Inquiry.answered_at.is_not(None))
    return (
        db.session.scalar(select(func.count()).select_from(TimelineEvent)),
        db.session.scalar(answered),
        db.session.scalar(select(func.count()).select_from(OutboxMail)),
    )


def test_the_whole_way_from_question_to_public_answer(client, case, login_as, mailbox):
    login_as("dispatcher")
    assert ask(client, case).status_code == 302
    report = current(case)
    assert report.status == "received"  # a question is no status
    note = report.events[-1]
    assert (note.kind, note.public) == (EventKind.INTERNAL_NOTE, False)
    assert QUESTION in note.note
    send_due()
    (mail,) = [m for m in mailbox.to(REPORTER) if "Rückfrage" in m["Subject"]]
    assert mail["Subject"] == f"Rückfrage zu Ihrer Meldung {case}"
    link = link_in(text_of(mail), "/rueckfrage/")
    assert link in html_of(mail) and QUESTION in text_of(mail)
    token = link.rsplit("/", 1)[1]
    inquiry = db.session.scalar(select(Inquiry))
    assert token not in inquiry.token_hash and len(inquiry.token_hash) == 64
    assert inquiry.expires_at - inquiry.created_at == timedelta(days=30)
    client.post("/abmelden")

    # The reporter: no login, the link is enough.
    page = client.get(path(link))
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store, private"
    assert page.headers["X-Robots-Tag"] == "noindex"
    assert QUESTION in page.get_data(as_text=True)
    sent = client.post(path(link), data={"antwort": ANSWER})
    assert sent.status_code == 303 and sent.headers["Location"].endswith("/rueckfrage/danke")
    thanks = client.get("/rueckfrage/danke").get_data(as_text=True)
    assert f"Ihre Antwort zur Meldung {case} ist bei uns eingegangen." in thanks
    answer = current(case).events[-1]
    assert (answer.kind, answer.public, answer.author, answer.author_id) == (
        EventKind.INTERNAL_NOTE,
        False,
        "Meldende Person",
        None,
    )
    assert answer.note == ANSWER
    send_due()
    (told,) = mailbox.to(ACCOUNTS["dispatcher"].email)
    assert told["Subject"] == f"Antwort auf Ihre Rückfrage zu Meldung {case}"
    assert "Wassermann" not in told.as_string()  # read in the staff area, not in a mail
    assert "Wassermann" not in everything_public(client, case)

    login_as("dispatcher")
    staff_page = client.get(f"/staff/meldungen/{case}").get_data(as_text=True)
    assert ANSWER in staff_page and "Antwort veröffentlichen" in staff_page
    inquiry_id = str(db.session.scalar(select(Inquiry.id)))
    published = act(
        client, case, "antwort-veroeffentlichen", inquiry=inquiry_id, text="Vor der 14."
    )
    assert published.status_code == 302
    public = client.get(f"/meldungen/{case}").get_data(as_text=True)
    assert "Antwort der meldenden Person" in public and "Vor der 14." in public
    assert "Wassermann" not in everything_public(client, case)
    again = act(client, case, "antwort-veroeffentlichen", inquiry=inquiry_id)
    assert again.status_code == 422
    assert "bereits veröffentlicht" in again.get_data(as_text=True)


def everything_public(client, case: str) -> str:
    return "\n".join(client.get(url).get_data(as_text=True) for url in public_urls([current(case)]))


def answered(client, case: str, login_as) -> tuple[str, str]:
    """Ask as the dispatcher and answer as the reporter; the link and the inquiry's id."""
    login_as("dispatcher")
    ask(client, case)
    client.post("/abmelden")
    link = path(answer_link(case))
    assert client.post(link, data={"antwort": ANSWER}).status_code == 303
    return link, str(db.session.scalar(select(Inquiry.id)))


def test_a_link_works_once(client, case, login_as):
    link, _ = answered(client, case, login_as)
    before = stored()
    for response in (client.get(link), client.post(link, data={"antwort": "Nochmal"})):
        assert response.status_code == 410
        assert "bereits beantwortet" in response.get_data(as_text=True)
        assert case in response.get_data(as_text=True)
    assert stored() == before


def test_an_expired_link_stores_nothing(client, case, login_as):
    login_as("dispatcher")
    ask(client, case)
    client.post("/abmelden")
    link = path(answer_link(case))
    inquiry = db.session.scalar(select(Inquiry))
    inquiry.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    db.session.commit()
    before = stored()
    for response in (client.get(link), client.post(link, data={"antwort": ANSWER})):
        assert response.status_code == 410
        assert "Dieser Link ist abgelaufen" in response.get_data(as_text=True)
    assert stored() == before


@pytest.mark.parametrize(
    "token",
    [
        "A" * 43,  # the right shape, no such question
        "kurz",
        "x" * 5000,
        "..%2F..%2Fadmin",
        "abc%00def" + "a" * 30,
        "%E2%80%AE" + "b" * 40,
    ],
)
def test_a_forged_link_finds_nothing(client, case, login_as, token):
    login_as("dispatcher")
    ask(client, case)
    client.post("/abmelden")
    before = stored()
    for method in (client.get, client.post):
        response = method(f"/rueckfrage/{token}", data={"antwort": ANSWER})
        page = response.get_data(as_text=True)
        # Ours, or the router's own German 404 (a decoded "/" makes it another path), or the
        # NUL byte's 400: never a 500, never a page of a question.
        assert response.status_code in (400, 404)
        assert any(
            text in page
            for text in ("Dieser Link ist ungültig", "Diese Seite gibt es nicht", "Nullzeichen")
        )
        assert QUESTION not in page
    assert stored() == before


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (None, "Bitte geben Sie eine Antwort ein."),
        ("", "Bitte geben Sie eine Antwort ein."),
        ("  \r\n\t ", "Bitte geben Sie eine Antwort ein."),
        ("x" * 2001, "Die Antwort ist zu lang: höchstens 2000 Zeichen, Ihre hat 2001."),
        ("Vor der 14\x00", "unzulässige Steuerzeichen"),
        ("Vor der \x1b[2J14", "unzulässige Steuerzeichen"),
        ("Vor der 14\rX", "unzulässige Steuerzeichen"),
        ("Vor\x85der 14", "unzulässige Steuerzeichen"),
    ],
)
def test_hostile_answers_are_refused_and_the_link_still_works(
    client, case, login_as, text, message
):
    login_as("dispatcher")
    ask(client, case)
    client.post("/abmelden")
    link = path(answer_link(case))
    before = stored()
    response = client.post(link, data={} if text is None else {"antwort": text})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page and 'aria-invalid="true"' in page
    assert "\x00" not in page and "\x1b" not in page
    assert stored() == before
    if text and len(text) > 2000:
        assert text in page  # given back to be shortened, not lost
    assert client.post(link, data={"antwort": ANSWER}).status_code == 303


def test_answers_are_rate_limited_per_client(client, case, login_as, app, monkeypatch):
    from app.extensions import limiter

    login_as("dispatcher")
    ask(client, case)
    client.post("/abmelden")
    link = path(answer_link(case))
    monkeypatch.setitem(app.config, "RATELIMIT_INQUIRY", "2 per minute")
    limiter.reset()
    assert [client.post(link, data={"antwort": ""}).status_code for _ in range(2)] == [422, 422]
    before = stored()
    limited = client.post(link, data={"antwort": ANSWER})
    assert limited.status_code == 429
    assert "Zu viele Versuche" in limited.get_data(as_text=True)
    assert stored() == before
    assert client.get(link).status_code == 200  # reading the question is not limited
    limiter.reset()


@pytest.mark.parametrize(
    ("question", "message"),
    [
        ("", "Bitte eine Frage eingeben."),
        ("x" * 1001, "höchstens 1000 Zeichen"),
        ("Wo genau?\x07", "Steuerzeichen"),
    ],
)
def test_bad_questions_send_nothing(client, case, login_as, question, message):
    login_as("dispatcher")
    before = stored()
    response = ask(client, case, question)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert stored() == before and db.session.scalar(select(func.count(Inquiry.id))) == 0


def test_no_question_without_an_address_on_a_closed_report_or_twice(
    client, make_report, case, login_as
):
    login_as("dispatcher")
    silent = make_report(description="Ohne Kontakt.").case_number
    response = ask(client, silent)
    assert response.status_code == 422
    assert "keine E-Mail-Adresse angegeben" in response.get_data(as_text=True)
    assert "keine E-Mail-Adresse angegeben" in client.get(f"/staff/meldungen/{silent}").get_data(
        as_text=True
    )
    assert ask(client, case).status_code == 302
    second = ask(client, case, "Und noch etwas?")
    assert second.status_code == 422
    assert "bereits eine Rückfrage offen" in second.get_data(as_text=True)
    act(client, case, "status", status="resolved", visibility="internal")
    closed = ask(client, case, "Und noch etwas?")
    assert closed.status_code == 422 and "abgeschlossen" in closed.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Inquiry.id))) == 1


def test_after_an_answer_another_question_may_follow(client, case, login_as):
    answered(client, case, login_as)
    login_as("dispatcher")
    assert ask(client, case, "Welche Farbe hat der Mast?").status_code == 302
    assert db.session.scalar(select(func.count(Inquiry.id))) == 2


def test_an_open_question_shows_in_the_lists(client, case, login_as):
    login_as("dispatcher")
    assert "Rückfrage offen" not in client.get("/staff/eingang").get_data(as_text=True)
    ask(client, case)
    for page in ("/staff/eingang", "/staff/warteschlange"):
        assert "Rückfrage offen" in client.get(page).get_data(as_text=True)
    client.post("/abmelden")
    client.post(path(answer_link(case)), data={"antwort": ANSWER})
    login_as("dispatcher")
    assert "Rückfrage offen" not in client.get("/staff/eingang").get_data(as_text=True)


def test_a_crew_asks_for_its_department_but_the_inbox_publishes(client, case, login_as):
    login_as("crew_light")
    assert ask(client, case).status_code == 302
    client.post("/abmelden")
    client.post(path(answer_link(case)), data={"antwort": ANSWER})
    login_as("crew_light")
    page = client.get(f"/staff/meldungen/{case}").get_data(as_text=True)
    assert ANSWER in page and "Antwort veröffentlichen" not in page
    inquiry_id = str(db.session.scalar(select(Inquiry.id)))
    assert act(client, case, "antwort-veroeffentlichen", inquiry=inquiry_id).status_code == 403


def test_publishing_checks_what_it_publishes(client, case, make_report, login_as):
    _, inquiry_id = answered(client, case, login_as)
    other = make_report(description="Andere Laterne.", reporter_email=REPORTER).case_number
    login_as("dispatcher")
    for data, message in [
        ({"inquiry": inquiry_id, "text": ""}, "darf nicht leer sein"),
        ({"inquiry": inquiry_id, "text": "x\x00"}, "Steuerzeichen"),
        ({"inquiry": "999999"}, "gehört nicht zu der Meldung"),
        ({"inquiry": "²"}, "gehört nicht zu der Meldung"),
    ]:
        response = act(client, case, "antwort-veroeffentlichen", **data)
        assert response.status_code == 422 and message in response.get_data(as_text=True)
    response = act(client, other, "antwort-veroeffentlichen", inquiry=inquiry_id)
    assert response.status_code == 422
    assert not [e for e in current(case).events if e.public and e.kind == EventKind.PUBLIC_NOTE]


def test_an_unanswered_question_cannot_be_published(client, case, login_as):
    login_as("dispatcher")
    ask(client, case)
    inquiry_id = str(db.session.scalar(select(Inquiry.id)))
    response = act(client, case, "antwort-veroeffentlichen", inquiry=inquiry_id)
    assert response.status_code == 422
    assert "keine Antwort" in response.get_data(as_text=True)


@pytest.mark.parametrize("who", ["anonymous", *ACCOUNTS])
def test_the_answer_page_needs_no_login_only_the_link(client, case, login_as, who):
    """The access matrix of the public route: the same for everyone, decided by the token."""
    login_as("dispatcher")
    ask(client, case)
    client.post("/abmelden")
    link = path(answer_link(case))
    if who != "anonymous":
        login_as(who)
    assert client.get(link).status_code == 200
    assert client.get("/rueckfrage/" + "B" * 43).status_code == 404
    assert client.get("/rueckfrage/danke").status_code == 200


def test_the_reporters_own_words_go_with_the_contact_data(client, case, login_as):
    """Retention: the unpublished answer is the citizen's text like the original description;
    the version staff published stays public."""
    from sqlalchemy import update

    from app.models import Report
    from app.privacy.service import purge

    _, inquiry_id = answered(client, case, login_as)
    login_as("dispatcher")
    act(client, case, "antwort-veroeffentlichen", inquiry=inquiry_id, text="Vor der 14.")
    act(client, case, "status", status="resolved", visibility="internal")
    assert purge(180)["answers"] == 0  # closed only just now
    long_ago = datetime.now(UTC) - timedelta(days=400)
    db.session.execute(update(Report).where(Report.case_number == case).values(closed_at=long_ago))
    assert purge(180)["answers"] == 1
    notes = [e.note for e in current(case).events]
    assert ANSWER not in notes and "Vor der 14." in notes
    inquiry = db.session.get(Inquiry, int(inquiry_id))
    db.session.refresh(inquiry)
    assert inquiry.answer_event_id is None and inquiry.answered_at is not None
    assert client.get(f"/staff/meldungen/{case}").status_code == 200
