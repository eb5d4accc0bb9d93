"""The transports a body can have. Each turns a Payload into a filed report at the body and
returns its id there; failures are RetryableError or PermanentError (app.exchange.transport).
A FIT-Connect transport (docs/fit-connect.md) would be one more function in TRANSPORTS."""

from __future__ import annotations

from collections.abc import Callable

from flask import render_template

from app.exchange.open311_client import Peer
from app.exchange.payload import Payload
from app.exchange.transport import PermanentError
from app.models import Body
from app.notifications.compose import Draft
from app.notifications.outbox import enqueue


def by_open311(body: Body, sent: Payload) -> str:
    """POST requests.json with our case number as attribute[external_id]: a retry after a lost
    answer is answered with the first request's id by a peer that keeps external ids (we do)."""
    code = body.service_codes.get(sent.category_code)
    if code is None:
        raise PermanentError(
            f"Für die Kategorie „{sent.category}“ ist bei {body.name} kein Dienst zugeordnet "
            "(Zuordnung der Dienste in der Stelle ergänzen)."
        )
    fields = {
        "service_code": code,
        "lat": f"{sent.lat:.7f}",
        "long": f"{sent.lon:.7f}",
        "description": _description(sent),
        "attribute[external_id]": sent.case_number,
    }
    if sent.photo_urls:
        fields["media_url"] = sent.photo_urls[0]
    if sent.reporter is not None:
        fields |= _personal(sent)
    return Peer(body.open311_url or "", body.open311_key, body.jurisdiction).file(fields)


def _description(sent: Payload) -> str:
    parts = [sent.description or f"({sent.category})"]
    if sent.reason:
        parts.append(f"Hinweis der weiterleitenden Stadt: {sent.reason}")
    parts.append(f"Weitergeleitet, dort Vorgang {sent.case_number}: {sent.public_url}")
    return "\n\n".join(parts)


def _personal(sent: Payload) -> dict[str, str]:
    reporter = sent.reporter
    assert reporter is not None  # only called with consent
    first, _, last = (reporter.name or "").rpartition(" ")
    values = {
        "first_name": first,
        "last_name": last,
        "email": reporter.email,
        "phone": reporter.phone,
        "address_string": reporter.place,
    }
    return {k: v for k, v in values.items() if v}


def by_email(body: Body, sent: Payload) -> str:
    """A formatted mail in our outbox (same transaction as the job's end): photos as links."""
    if not body.email:
        raise PermanentError(f"{body.name} hat keine E-Mail-Adresse.")
    subject = f"Weitergeleitete Meldung {sent.case_number}: {sent.category}"
    values = {"sent": sent, "body": body, "subject": subject}
    draft = Draft(
        subject=subject,
        text=render_template("mail/forward.txt", **values),
        html=render_template("mail/forward.html", **values),
    )
    return enqueue(body.email, draft, "forward").message_id


TRANSPORTS: dict[str, Callable[[Body, Payload], str]] = {
    "open311": by_open311,
    "email": by_email,
}
