"""After sending: copy the link, send it by mail (once, the address not kept), report another;
and a duplicate's public page says why its text stays hidden."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import OutboxMail, Report, Status, Subscription
from tests.helpers import confirmation, form_data, post_report, tracking_link


def _filed(client, **fields: str) -> str:
    assert post_report(client, form_data(**fields)).status_code == 302
    return confirmation(client)


def test_the_confirmation_offers_copy_mail_and_another_report(client):
    page = _filed(client)
    assert "Link kopieren" in page and 'class="with-js" hidden' in page
    assert "Link per E-Mail senden" in page
    assert 'href="/melden"' in page and "Weiteren Mangel melden" in page


def test_the_link_is_mailed_once_and_the_address_not_kept(client):
    token_path = tracking_link(_filed(client))
    response = client.post(f"{token_path}/link-senden", data={"email": " Anna@Example.org "})
    assert response.status_code == 200
    assert "anna@example.org" in response.get_data(as_text=True).lower()
    mail = db.session.scalars(select(OutboxMail).where(OutboxMail.kind == "tracking_link")).one()
    assert mail.recipient == "Anna@example.org" and token_path in mail.body_text
    report = db.session.scalars(select(Report)).one()
    assert report.reporter_email is None
    assert db.session.scalars(select(Subscription)).all() == []


@pytest.mark.parametrize("address", ["", "keine-adresse", "a@b.de\r\nBcc: x@y.de", "x" * 300])
def test_a_bad_address_gets_a_clear_message_and_no_mail(client, address):
    token_path = tracking_link(_filed(client))
    response = client.post(f"{token_path}/link-senden", data={"email": address})
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert (
        db.session.scalars(select(OutboxMail).where(OutboxMail.kind == "tracking_link")).all() == []
    )


def test_an_unknown_link_sends_nothing(client):
    response = client.post("/verfolgen/gibt-es-nicht/link-senden", data={"email": "a@b.de"})
    assert response.status_code == 404


def test_a_duplicate_says_why_its_text_stays_hidden(client, make_report):
    original = make_report(published=True)
    duplicate = make_report(published=False)
    duplicate.duplicate_of = original
    duplicate.status = Status.DUPLICATE
    db.session.commit()
    page = client.get(f"/meldungen/{duplicate.case_number}").get_data(as_text=True)
    assert "betrifft denselben Mangel wie die oben genannte Meldung" in page
    assert "werden noch geprüft" not in page
