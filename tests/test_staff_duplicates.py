"""Closing a duplicate and deleting a report ask for a second, explicit step; a duplicate closed
today can be taken back; the suggestions show enough to decide (photo, text, distance)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import partial

import pytest

from app.extensions import db
from app.models import Status
from tests.factories import MITTE, jpeg
from tests.fixtures.reports import current
from tests.fixtures.staff import ACCOUNTS, act, events

NOW = partial(datetime.now, UTC)


@pytest.fixture
def pair(make_report) -> tuple[str, str]:
    original = make_report(description="Laterne am Brunnen dunkel", photos=[jpeg()])
    copy = make_report(at=(MITTE[0] + 0.0001, MITTE[1]), description="Brunnenlaterne aus")
    return original.case_number, copy.case_number


def test_suggestions_show_photo_text_and_distance(client, pair, login_as):
    original, copy = pair
    login_as("dispatcher")
    page = client.get(f"/staff/meldungen/{copy}").get_data(as_text=True)
    assert "11 m entfernt" in page and "Laterne am Brunnen dunkel" in page
    assert f"/staff/meldungen/{original}/fotos/" in page
    assert f"/staff/meldungen/{copy}/duplikat-pruefen?original={original}" in page


def test_the_confirmation_page_shows_both_then_closes(client, pair, login_as):
    original, copy = pair
    login_as("dispatcher")
    page = client.get(f"/staff/meldungen/{copy}/duplikat-pruefen?original={original}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Laterne am Brunnen dunkel" in text and "Brunnenlaterne aus" in text
    assert current(copy).status == Status.RECEIVED  # looking changes nothing
    assert act(client, copy, "duplikat", original=original).status_code == 302
    assert current(copy).status == Status.DUPLICATE


@pytest.mark.parametrize("original", ["", "2099-999999", "x" * 500, "<b>", "self"])
def test_a_bad_original_on_the_confirmation_page_is_a_clear_message(
    client, pair, login_as, original
):
    copy = pair[1]
    login_as("dispatcher")
    value = copy if original == "self" else original
    response = client.get(
        f"/staff/meldungen/{copy}/duplikat-pruefen", query_string={"original": value}
    )
    assert response.status_code == 422
    assert "Keine andere Meldung mit dieser Vorgangsnummer." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("action", "data", "message"),
    [
        ("duplikat", {"original": "{original}"}, "Bitte bestätigen Sie, dass es ein Duplikat"),
        ("ablehnen", {"reason": "spam"}, "Bitte bestätigen Sie, dass die Meldung gelöscht"),
    ],
)
def test_without_the_confirmation_nothing_happens(client, pair, login_as, action, data, message):
    original, copy = pair
    login_as("dispatcher")
    before = (current(copy).version, events())
    form = {k: v.format(original=original) for k, v in data.items()} | {"bestaetigt": ""}
    response = act(client, copy, action, **form)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert (current(copy).version, events()) == before


def test_a_duplicate_closed_today_can_be_taken_back(client, pair, login_as):
    original, copy = pair
    login_as("dispatcher")
    act(client, copy, "status", status="accepted", visibility="public")
    act(client, copy, "duplikat", original=original)
    response = act(client, copy, "duplikat-aufheben")
    assert response.status_code == 302
    report = current(copy)
    assert (report.status, report.duplicate_of_id) == (Status.ACCEPTED, None)
    assert f"Doch kein Duplikat von Meldung {original}." in client.get(
        f"/meldungen/{copy}"
    ).get_data(as_text=True)


def test_a_duplicate_of_an_earlier_day_stays_closed(client, pair, login_as):
    original, copy = pair
    login_as("dispatcher")
    act(client, copy, "duplikat", original=original)
    for event in current(copy).events:
        event.created_at -= timedelta(days=1)
    db.session.commit()
    before = (current(copy).version, events())
    response = act(client, copy, "duplikat-aufheben")
    assert response.status_code == 422
    assert "nur am selben Tag" in response.get_data(as_text=True)
    assert (current(copy).version, events()) == before


def test_an_open_report_is_no_duplicate_to_take_back(client, pair, login_as):
    login_as("dispatcher")
    response = act(client, pair[1], "duplikat-aufheben")
    assert response.status_code == 422
    assert "nicht als Duplikat geschlossen" in response.get_data(as_text=True)


@pytest.mark.parametrize("who", ["anonymous", *ACCOUNTS])
def test_only_the_inbox_takes_a_duplicate_back(client, pair, login_as, who):
    original, copy = pair
    login_as("dispatcher")
    act(client, copy, "duplikat", original=original)
    client.post("/abmelden")
    if who != "anonymous":
        login_as(who)
    response = act(client, copy, "duplikat-aufheben")
    if who == "anonymous":
        assert response.status_code == 302 and "/anmelden" in response.headers["Location"]
    elif who in ("dispatcher", "admin"):
        assert response.status_code == 302 and current(copy).status == Status.RECEIVED
    else:
        assert response.status_code == 403 and current(copy).status == Status.DUPLICATE


def test_taking_a_duplicate_back_takes_its_followers_off_the_original(client, pair, login_as):
    """Closing copied the duplicate's followers onto the original; taking it back removes those
    copies, but not a follower who had followed the original herself before."""
    from sqlalchemy import select

    from app.models import Subscription

    original, copy = pair
    for email in ("beide@example.org", "nur-kopie@example.org"):
        db.session.add(Subscription(report=current(copy), email=email, confirmed_at=NOW()))
    db.session.add(
        Subscription(report=current(original), email="beide@example.org", confirmed_at=NOW())
    )
    db.session.commit()
    login_as("dispatcher")

    def following(case: str) -> list[str]:
        found = select(Subscription.email).where(Subscription.report_id == current(case).id)
        return sorted(db.session.scalars(found))

    act(client, copy, "duplikat", original=original)
    assert following(original) == ["beide@example.org", "nur-kopie@example.org"]
    assert act(client, copy, "duplikat-aufheben").status_code == 302
    assert following(original) == ["beide@example.org"]
    assert following(copy) == ["beide@example.org", "nur-kopie@example.org"]
