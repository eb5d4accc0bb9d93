"""Area alerts: double opt-in through the real SMTP server on loopback, matching when a report
becomes public (at once or as a daily digest), one-click unsubscribe, bad links and input that
change nothing, and subscriber addresses in no public output."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.alerts.digest import digest_cut, send_digests
from app.extensions import db
from app.models import AreaAlert, OutboxMail
from app.notifications.outbox import send_due
from app.privacy.service import purge
from tests.factories import MITTE
from tests.fixtures.reports import public_urls
from tests.fixtures.staff import act
from tests.mailbox import html_of, link_in, text_of

CITIZEN = "anwohnerin@example.org"
# About 1.1 km north of MITTE, still in Solingen.
NORTH = (MITTE[0] + 0.01, MITTE[1])


def ask(client, email: str = CITIZEN, **fields: object):
    data = {"area": "district", "district": "1", "radius": "500", "mode": "immediate"}
    return client.post(
        "/benachrichtigungen/gebiet", data={**data, "email": email, "language": "de", **fields}
    )


def confirmed(client, mailbox, email: str = CITIZEN, **fields: object) -> AreaAlert:
    """Ask, confirm through the link in the mail, and return the alert."""
    assert ask(client, email, **fields).status_code == 302
    send_due()
    confirm = link_in(text_of(mailbox.to(email)[-1]), "/benachrichtigungen/gebiet/bestaetigen/")
    assert client.post(confirm).status_code == 200
    return db.session.scalar(select(AreaAlert).order_by(AreaAlert.id.desc()).limit(1))


def publish(client, login_as, case: str) -> None:
    login_as("dispatcher", client)
    assert act(client, case, "veroeffentlichen").status_code == 302
    client.post("/abmelden")


def alerts() -> int:
    return db.session.scalar(select(func.count()).select_from(AreaAlert))


def test_double_opt_in_then_a_mail_when_a_report_in_the_district_becomes_public(
    client, mailbox, make_report, login_as
):
    response = ask(client)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Bitte bestätigen Sie" in page and "Mitte" in page
    early = make_report()
    publish(client, login_as, early.case_number)
    send_due()
    (request,) = mailbox.to(CITIZEN)  # the confirmation only: nothing before opting in
    assert request["Subject"] == "Bitte bestätigen: neue Meldungen für Mitte"
    confirm = link_in(text_of(request), "/benachrichtigungen/gebiet/bestaetigen/")
    assert confirm in html_of(request)
    assert "csrf_token" in client.get(confirm).get_data(as_text=True)  # a button, no change
    assert db.session.scalar(select(AreaAlert.confirmed_at)) is None
    assert client.post(confirm).status_code == 200
    assert client.post(confirm).status_code == 200  # twice is still confirmed

    report = make_report(description="Laterne am Neumarkt dunkel")
    publish(client, login_as, report.case_number)
    send_due()
    _, news = mailbox.to(CITIZEN)
    assert news["Subject"] == "Neue Meldung in Ihrem Gebiet: Straßenbeleuchtung defekt"
    body = text_of(news)
    assert report.case_number in body and "Laterne am Neumarkt dunkel" in body
    assert f"/meldungen/{report.case_number}" in body and report.case_number in html_of(news)
    assert news["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    header = news["List-Unsubscribe"]
    assert header.isascii() and "=?" not in header  # plain ASCII, not an encoded word
    assert link_in(body, "/benachrichtigungen/gebiet/abbestellen/") in header


def test_immediate_publishing_matches_in_the_filing_transaction(
    app, client, mailbox, make_report, monkeypatch
):
    confirmed(client, mailbox)
    monkeypatch.setitem(app.config, "PUBLISHING", "immediate")
    report = make_report()
    stored = db.session.scalars(select(OutboxMail).where(OutboxMail.kind == "alert")).all()
    assert [(m.recipient, m.report_id) for m in stored] == [(CITIZEN, report.id)]


def test_circle_and_categories_decide(client, mailbox, make_report, login_as):
    lat, lon = MITTE
    confirmed(client, mailbox, area="point", lat=str(lat), lon=str(lon), radius="500")
    only_waste = confirmed(client, mailbox, "muell@example.org", categories=["muell"])
    assert only_waste.category_ids and len(only_waste.category_ids) == 1
    near, far = make_report(at=(lat + 0.002, lon)), make_report(at=NORTH)
    waste = make_report(code="muell", at=(lat + 0.001, lon))
    for report in (near, far, waste):
        publish(client, login_as, report.case_number)
    send_due()
    told = [m["Subject"] for m in mailbox.to(CITIZEN)[1:]]
    assert sorted(told) == sorted(
        [
            "Neue Meldung in Ihrem Gebiet: Straßenbeleuchtung defekt",
            "Neue Meldung in Ihrem Gebiet: Wilde Müllkippe",
        ]
    )
    assert far.case_number not in "".join(text_of(m) for m in mailbox.to(CITIZEN))
    (waste_mail,) = mailbox.to("muell@example.org")[1:]
    assert waste.case_number in text_of(waste_mail)


def test_one_mail_per_address_even_when_two_of_its_alerts_match(
    client, mailbox, make_report, login_as
):
    lat, lon = MITTE
    confirmed(client, mailbox)
    confirmed(client, mailbox, area="point", lat=str(lat), lon=str(lon))
    publish(client, login_as, make_report().case_number)
    assert len(db.session.scalars(select(OutboxMail).where(OutboxMail.kind == "alert")).all()) == 1


def test_an_address_resolves_through_the_address_search(client, mailbox):
    alert = confirmed(client, mailbox, area="address", address="Gräfrath", radius="1000")
    assert alert.kind == "radius" and alert.radius_m == 1000
    assert alert.area_label == "1 km um Gräfrath"


def test_the_daily_digest_lists_each_days_reports_once(app, client, mailbox, make_report, login_as):
    alert = confirmed(client, mailbox, mode="digest")
    first, second = make_report(), make_report(code="muell")
    for report in (first, second):
        publish(client, login_as, report.case_number)
    assert db.session.scalar(select(func.count()).where(OutboxMail.kind == "alert")) == 0
    tomorrow = datetime.now(UTC) + timedelta(days=1, hours=1)
    counts = send_digests(tomorrow)
    assert (counts["mails"], counts["reports"]) == (1, 2)
    assert send_digests(tomorrow) == {"mails": 0, "reports": 0, "alerts": 0}  # nothing twice
    send_due()
    (digest,) = mailbox.to(CITIZEN)[1:]
    assert digest["Subject"] == "Neue Meldungen in Ihrem Gebiet: 2"
    body = text_of(digest)
    assert first.case_number in body and second.case_number in body and "(Mitte)" in body
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    db.session.refresh(alert)
    assert alert.last_sent_at == digest_cut(tomorrow, app.config["ALERT_DIGEST_HOUR"])


def test_the_digest_cut_is_the_digest_hour_in_city_time():
    morning = datetime(2026, 12, 3, 6, 30, tzinfo=UTC)  # 07:30 in Berlin
    assert digest_cut(morning, 7) == datetime(2026, 12, 3, 6, 0, tzinfo=UTC)
    assert digest_cut(morning - timedelta(hours=1), 7) == datetime(2026, 12, 2, 6, 0, tzinfo=UTC)


def test_one_click_unsubscribe_deletes_the_alert(client, mailbox, make_report, login_as):
    confirmed(client, mailbox)
    publish(client, login_as, make_report().case_number)
    send_due()
    link = mailbox.to(CITIZEN)[-1]["List-Unsubscribe"].strip("<>")
    assert "abbestellen" in client.get(link).get_data(as_text=True) and alerts() == 1
    # What a mail program sends (RFC 8058): a POST without our CSRF token.
    response = client.post(link, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200 and alerts() == 0
    assert client.post(link).status_code == 410


@pytest.mark.parametrize("action", ["bestaetigen", "abbestellen"])
def test_forged_and_misused_links_get_a_clear_page_and_change_nothing(client, mailbox, action):
    if action == "bestaetigen":  # an unconfirmed alert, which a forged link must not confirm
        assert ask(client).status_code == 302
        send_due()
        alert = db.session.scalar(select(AreaAlert))
        alert.unsubscribe_token = alert.unsubscribe_token or "x"
    else:
        alert = confirmed(client, mailbox)
    confirm_token = link_in(text_of(mailbox.to(CITIZEN)[0]), "bestaetigen/").rsplit("/", 1)[1]
    for token in ("abc", alert.unsubscribe_token + "x", "x" * 500, confirm_token):
        if action == "bestaetigen" and token == confirm_token:
            token = alert.unsubscribe_token  # an unsubscribe link does not confirm
        response = client.post(f"/benachrichtigungen/gebiet/{action}/{token}")
        assert response.status_code == 410
        assert "nicht" in response.get_data(as_text=True) and "gültig" in response.get_data(
            as_text=True
        )
    assert alerts() == 1
    db.session.refresh(alert)
    assert (alert.confirmed_at is None) == (action == "bestaetigen")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"email": "keine-adresse"}, "E-Mail"),
        ({"district": "99"}, "Stadtbezirk aus der Liste"),
        ({"area": "address", "address": "Zzyzxstrasse 5"}, "keine Adresse gefunden"),
        ({"area": "address", "address": "x" * 5000}, "100"),
        ({"area": "point", "lat": "51.2546", "lon": "7.1497"}, "nicht im Stadtgebiet"),
        ({"area": "point", "lat": "nan", "lon": "7"}, "endliche Zahl"),
        ({"area": "point", "lat": "", "lon": ""}, "Zahl"),
        ({"radius": "100000", "area": "point", "lat": "51.17", "lon": "7.08"}, "Umkreis"),
        ({"mode": "hourly"}, "Wie oft"),
        ({"area": "everywhere"}, "Gebiet"),
        ({"categories": ["nope"]}, "Kategorien"),
    ],
)
def test_bad_input_gets_the_form_again_and_stores_nothing(client, fields, message):
    response = ask(client, **fields)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert alerts() == 0
    assert db.session.scalar(select(func.count()).select_from(OutboxMail)) == 0


def test_an_address_gets_at_most_three_confirmation_requests_a_day(client, mailbox):
    for _ in range(5):
        assert ask(client).status_code == 302  # the same answer: it reveals nothing
    send_due()
    assert len(mailbox.to(CITIZEN)) == 3


def test_the_page_works_without_login_and_lists_districts_and_categories(client):
    page = client.get("/benachrichtigungen/gebiet").get_data(as_text=True)
    assert "Gräfrath" in page and "Wilde Müllkippe" in page and 'type="checkbox"' in page


def test_no_subscriber_address_in_any_public_output(client, mailbox, make_report, login_as):
    lat, lon = MITTE
    confirmed(client, mailbox)
    report = make_report()
    publish(client, login_as, report.case_number)
    urls = [
        *public_urls([report]),
        f"/feeds/meldungen.atom?lat={lat}&lon={lon}&radius=500",
        f"/export/meldungen.geojson?lat={lat}&lon={lon}&radius=500",
        "/benachrichtigungen/gebiet",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert CITIZEN not in response.get_data(as_text=True), url
        assert "anwohnerin" not in response.get_data(as_text=True), url


def test_unconfirmed_alerts_are_purged_after_the_confirm_window(client, mailbox):
    confirmed(client, mailbox)
    ask(client, "vergessen@example.org")
    assert alerts() == 2
    counts = purge(180, now=datetime.now(UTC) + timedelta(days=8))
    assert counts["unconfirmed_alerts"] == 1
    assert db.session.scalars(select(AreaAlert.email)).all() == [CITIZEN]


def test_one_digest_per_address_and_no_second_alert_for_the_same_area(
    client, mailbox, make_report, login_as
):
    lat, lon = MITTE
    confirmed(client, mailbox, mode="digest")
    assert ask(client, mode="digest").status_code == 302  # the same again: nothing new
    confirmed(client, mailbox, mode="digest", area="point", lat=str(lat), lon=str(lon))
    assert alerts() == 2
    report = make_report()
    publish(client, login_as, report.case_number)
    counts = send_digests(datetime.now(UTC) + timedelta(days=1, hours=1))
    assert counts["mails"] == 1
    send_due()
    (digest,) = [m for m in mailbox.to(CITIZEN) if "Neue Meldungen" in m["Subject"]]
    assert text_of(digest).count(f"/meldungen/{report.case_number}") == 1
    assert digest["Subject"] == "Neue Meldungen in Ihrem Gebiet: 1"


def test_unconfirmed_requests_of_a_stranger_do_not_fill_the_quota(client, mailbox, monkeypatch):
    from app.alerts import service

    monkeypatch.setattr(service, "ALERTS_PER_ADDRESS", 1)
    assert ask(client).status_code == 302  # someone else asks for this address, unconfirmed
    alert = confirmed(client, mailbox, area="district", district="2")
    assert alert.confirmed_at is not None and alerts() == 2


def test_a_rejected_reports_alert_mails_are_not_sent(app, client, mailbox, make_report, login_as):
    confirmed(client, mailbox)
    app.config["PUBLISHING"] = "immediate"
    try:
        report = make_report(description="Billige Uhren hier kaufen")
    finally:
        app.config["PUBLISHING"] = "moderated"
    assert db.session.scalar(select(func.count()).where(OutboxMail.kind == "alert")) == 1
    login_as("dispatcher", client)
    assert act(client, report.case_number, "ablehnen", reason="spam").status_code == 302
    send_due()
    assert not any("Uhren" in text_of(m) for m in mailbox.to(CITIZEN))
    assert db.session.scalar(select(func.count()).where(OutboxMail.kind == "alert")) == 0
