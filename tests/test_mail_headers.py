"""Headers as mail programs need them, checked on mails received by a real SMTP server on
loopback: List-Unsubscribe is the plain link (an RFC 2047-encoded one is unusable, so the
one-click unsubscribe would be lost), and a long German subject arrives intact, folded only
between words."""

from __future__ import annotations

import re
from email.header import decode_header, make_header

import pytest

from app.extensions import db
from app.notifications.compose import Draft
from app.notifications.outbox import enqueue, send_due
from tests.helpers import form_data, post_report
from tests.mailbox import link_in, text_of

REPORTER = "melderin@example.org"

SUBJECT = (
    "Meldung 2026-000042 an Sie weitergeleitet: Überfüllter Papierkorb und wilde "
    "Müllablagerung an der Straßenböschung"
)


def raw_header(message, name: str) -> str:
    """The header's value as it came over the wire, folding included."""
    return dict(message.raw_items())[name]


def test_list_unsubscribe_arrives_as_the_plain_link(client, mailbox):
    data = form_data(email=REPORTER, consent="y")
    assert post_report(client, data, base_url="https://localhost").status_code == 302
    send_due()
    (receipt,) = mailbox.to(REPORTER)
    link = link_in(text_of(receipt), "/benachrichtigungen/abbestellen/")
    assert link.startswith("https://localhost/benachrichtigungen/abbestellen/")
    assert receipt["List-Unsubscribe"] == f"<{link}>"
    assert raw_header(receipt, "List-Unsubscribe") == f"<{link}>"  # not encoded, not folded
    assert raw_header(receipt, "List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"


def test_a_long_german_subject_is_folded_between_words(app, mailbox):
    enqueue(REPORTER, Draft(subject=SUBJECT, text="Text", html="<p>Text</p>"), "test")
    db.session.commit()
    assert send_due() == {"sent": 1}
    (mail,) = mailbox.messages
    assert mail["Subject"] == SUBJECT
    lines = re.split(r"\r?\n", raw_header(mail, "Subject"))
    assert len(lines) > 1
    assert len("Subject: " + lines[0]) <= 78 and all(len(line) <= 78 for line in lines)
    pieces = [str(make_header(decode_header(line.strip()))) for line in lines]
    for word in SUBJECT.split():
        assert any(word in piece for piece in pieces), f"{word!r} split across lines: {lines}"


@pytest.mark.parametrize(
    "subject",
    [
        "Meldung 2026-000007: Müll über Brücke, Grünfläche Ärger",  # adjacent encoded words
        "Neue Meldung 2026-000008: Straßenbeleuchtungsinstandhaltungsabteilungsübergabeprotokoll",
        "Ihre Meldung 2026-000009 ist eingegangen",
    ],
)
def test_subjects_arrive_exactly_as_written(app, mailbox, subject):
    enqueue(REPORTER, Draft(subject=subject, text="Text", html="<p>Text</p>"), "test")
    db.session.commit()
    send_due()
    assert mailbox.messages[0]["Subject"] == subject
