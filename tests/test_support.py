""" "Ich bin auch betroffen": a person supports an open report once, confirmed by a link in a
mail sent through a real SMTP server on loopback; the count is public (report page, list,
map card, nearby list, Open311 `extended_attributes.votes`) and in the staff inbox, the
supporter's address never is. Forged links and double votes change nothing."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import OutboxMail, RejectedReport, Report, Status, Subscription, Support
from app.notifications import tokens
from app.notifications.outbox import send_due
from app.notifications.service import CONFIRMS_PER_DAY, insert_once
from app.privacy.service import purge
from app.public import listing
from tests.factories import MITTE
from tests.fixtures.open311 import BASE, both_formats
from tests.fixtures.reports import current, set_status
from tests.fixtures.staff import act
from tests.helpers import confirmation, form_data, post_report, tracking_link
from tests.mailbox import html_of, link_in, text_of

SUPPORTER = "nachbarin@example.net"
REPORTER = "melder@example.org"


def ask(client, case: str, email: str = SUPPORTER, follow: bool = False):
    data = {"email": email} | ({"follow": "y"} if follow else {})
    return client.post(f"/meldungen/{case}/unterstuetzen", data=data)


def confirm_link(mailbox, email: str = SUPPORTER) -> str:
    send_due()
    *_, mail = mailbox.to(email)
    return link_in(text_of(mail), "/unterstuetzung/bestaetigen/")


def count_of(report: Report) -> int:
    db.session.expire_all()
    return db.session.scalar(select(Report.support_count).where(Report.id == report.id))


def supported(client, mailbox, report: Report, email: str = SUPPORTER, **kw: bool) -> None:
    """The whole way: ask, open the mail's link, press the button."""
    assert ask(client, report.case_number, email, **kw).status_code == 303
    assert client.post(confirm_link(mailbox, email)).status_code == 200


@pytest.fixture
def report(make_report) -> Report:
    return make_report(published=True, reporter_email=REPORTER)


def test_a_support_counts_once_after_the_mail_is_confirmed(client, mailbox, report):
    case = report.case_number
    page = client.get(f"/meldungen/{case}/unterstuetzen")
    assert page.status_code == 200 and 'name="email"' in page.get_data(as_text=True)
    response = ask(client, case)
    assert response.status_code == 303
    assert "bestätigen" in client.get(response.headers["Location"]).get_data(as_text=True)
    send_due()
    (mail,) = mailbox.to(SUPPORTER)
    assert mail["Subject"] == f"Bitte bestätigen: Auch betroffen von Meldung {case}"
    link = link_in(text_of(mail), "/unterstuetzung/bestaetigen/")
    assert link in html_of(mail)
    assert client.get(link).status_code == 200  # one button: mail scanners count nothing
    assert count_of(report) == 0
    done = client.post(link)
    assert done.status_code == 200 and "Ihre Unterstützung zählt" in done.get_data(as_text=True)
    assert count_of(report) == 1
    again = client.post(link)  # a double click, a second tab
    assert again.status_code == 409 and "bereits" in again.get_data(as_text=True)
    assert count_of(report) == 1
    assert "1 Person" in client.get(f"/meldungen/{case}").get_data(as_text=True)


def test_the_count_keeps_the_report_version_so_staff_pages_stay_current(client, mailbox, report):
    version = report.version
    supported(client, mailbox, report)
    db.session.expire_all()
    assert db.session.get(Report, report.id).version == version


def test_one_address_asks_twice_gets_one_mail_and_counts_once(client, mailbox, report):
    assert ask(client, report.case_number).status_code == 303
    # The same mailbox spelt otherwise: the same answer, no second mail.
    assert ask(client, report.case_number, "  NachbarIn@Example.NET ").status_code == 303
    link = confirm_link(mailbox)
    assert len(mailbox.to(SUPPORTER)) == 1
    client.post(link)
    assert ask(client, report.case_number).status_code == 303  # already counted: no mail
    send_due()
    assert len(mailbox.to(SUPPORTER)) == 1
    assert count_of(report) == 1
    assert db.session.scalar(select(func.count()).select_from(Support)) == 1


def test_the_pair_is_unique_even_when_two_requests_race(report):
    first = insert_once(Support(report_id=report.id, email=SUPPORTER))
    second = insert_once(Support(report_id=report.id, email=SUPPORTER))
    assert first is not None and second is None
    assert db.session.scalar(select(func.count()).select_from(Support)) == 1


@pytest.mark.parametrize("forged", ["nonsense", "too long", "a follow token"])
def test_forged_links_get_a_clear_page_and_change_nothing(client, mailbox, report, forged):
    ask(client, report.case_number)
    support_id = db.session.scalar(select(Support.id))
    token = {
        "nonsense": "nonsense",
        "too long": "x" * 500,
        # The right id, signed for another purpose: a follow link confirms no support.
        "a follow token": tokens.sign("follow", support_id),
    }[forged]
    response = client.post(f"/unterstuetzung/bestaetigen/{token}")
    assert response.status_code == 410
    assert "nicht gültig" in response.get_data(as_text=True)
    assert count_of(report) == 0
    assert db.session.scalar(select(Support.confirmed_at)) is None


def test_an_altered_link_changes_nothing(client, mailbox, report):
    ask(client, report.case_number)
    link = confirm_link(mailbox)
    altered = link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB")
    assert client.post(altered).status_code == 410
    assert count_of(report) == 0


def test_an_expired_link_counts_nothing(client, mailbox, report, monkeypatch):
    ask(client, report.case_number)
    link = confirm_link(mailbox)
    monkeypatch.setattr(tokens, "CONFIRM_MAX_AGE", -1)
    assert client.post(link).status_code == 410
    assert count_of(report) == 0


def test_the_reporter_supports_nothing_extra(client, mailbox, report):
    """Her report counts already; the page tells only her, in the mail's link, not the form."""
    first = ask(client, report.case_number, REPORTER.upper())
    assert first.status_code == 303  # the same answer as for anyone: nothing revealed
    response = client.post(confirm_link(mailbox, REPORTER))
    assert response.status_code == 409
    assert "selbst" in response.get_data(as_text=True)
    assert count_of(report) == 0


def test_closed_reports_cannot_be_supported(client, mailbox, make_report):
    closed = make_report(published=True, status=Status.RESOLVED)
    page = client.get(f"/meldungen/{closed.case_number}/unterstuetzen")
    assert page.status_code == 200 and "abgeschlossen" in page.get_data(as_text=True)
    assert 'name="email"' not in page.get_data(as_text=True)
    assert ask(client, closed.case_number).status_code == 409
    send_due()
    assert mailbox.to(SUPPORTER) == []


def test_a_report_closed_before_the_click_counts_nothing(client, mailbox, report):
    ask(client, report.case_number)
    link = confirm_link(mailbox)
    set_status(report, Status.RESOLVED, datetime.now(UTC))
    db.session.commit()
    response = client.post(link)
    assert response.status_code == 409 and "abgeschlossen" in response.get_data(as_text=True)
    assert count_of(report) == 0


@pytest.mark.parametrize("email", ["", "kein-at-zeichen", "a@b", "x" * 300 + "@example.org"])
def test_a_bad_address_is_a_clear_422_and_stores_nothing(client, mailbox, report, email):
    response = ask(client, report.case_number, email)
    assert response.status_code == 422
    assert "Bitte prüfen Sie Ihre Angaben" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Support)) == 0
    assert db.session.scalar(select(func.count()).where(OutboxMail.kind == "support_confirm")) == 0


def test_unknown_reports_are_404(client):
    assert client.get("/meldungen/2026-999999/unterstuetzen").status_code == 404
    assert ask(client, "2026-999999").status_code == 404
    assert ask(client, "x" * 5000).status_code == 404


def test_an_address_gets_few_confirmation_mails_a_day_over_follow_and_support(
    client, mailbox, make_report
):
    reports = [make_report(published=True) for _ in range(CONFIRMS_PER_DAY + 1)]
    client.post(f"/meldungen/{reports[0].case_number}/folgen", data={"email": SUPPORTER})
    for report in reports[1:]:
        assert ask(client, report.case_number).status_code == 303  # the same answer each time
    send_due()
    assert len(mailbox.to(SUPPORTER)) == CONFIRMS_PER_DAY


def test_a_supporter_who_asks_for_news_follows_the_report(client, mailbox, report, staff):
    supported(client, mailbox, report, follow=True)
    subscription = db.session.scalar(
        select(Subscription).where(
            Subscription.report_id == report.id, Subscription.email == SUPPORTER
        )
    )
    assert subscription is not None and subscription.confirmed_at is not None


def test_a_supporter_without_news_gets_no_subscription(client, mailbox, report):
    supported(client, mailbox, report)
    emails = db.session.scalars(
        select(Subscription.email).where(Subscription.report_id == report.id)
    )
    assert SUPPORTER not in list(emails)


# --- the count in public outputs; the address in none --------------------------------------


def test_no_supporter_address_appears_in_any_public_output(client, mailbox, make_report):
    """The supporter's address (and the reporter's) stay out of every page, API and export
    that anyone can read; only the number shows."""
    response = post_report(client, form_data(email=REPORTER, consent="y"))
    assert response.status_code == 302
    tracking = tracking_link(confirmation(client))
    report = db.session.scalar(select(Report).order_by(Report.id.desc()).limit(1))
    report.published_at = report.created_at
    db.session.commit()
    supported(client, mailbox, report, follow=True)
    case = report.case_number
    lat, lon = MITTE
    bbox = f"{lon - 0.001},{lat - 0.001},{lon + 0.001},{lat + 0.001}"
    urls = {
        "report page": f"/meldungen/{case}",
        "support page": f"/meldungen/{case}/unterstuetzen",
        "tracking page": tracking,
        "list": "/meldungen?sortierung=unterstuetzung",
        "map": f"/api/v1/map?bbox={bbox}&zoom=19",
        "nearby": f"/api/v1/nearby?lat={lat}&lon={lon}",
        "open311 json": f"{BASE}/requests.json?extensions=true",
        "open311 xml": f"{BASE}/requests.xml?extensions=true",
        "open311 one": f"{BASE}/requests/{case}.json?extensions=true",
        "feed": "/feeds/meldungen.atom",
        "geojson": "/export/meldungen.geojson",
        "csv": "/export/meldungen.csv",
    }
    outputs = {}
    for name, url in urls.items():
        answer = client.get(url)  # read at once: the exports stream their answer
        assert answer.status_code == 200, name
        outputs[name] = answer.get_data(as_text=True)
        body = outputs[name].lower()
        assert case in body, f"{name} does not show the report"
        assert SUPPORTER not in body and "nachbarin" not in body, name
        if name != "tracking page":  # the reporter's own, private page shows her her data
            assert REPORTER.lower() not in body, name
    assert "1 Person" in outputs["report page"]


def test_open311_names_the_count_votes_with_extensions(client, mailbox, report):
    supported(client, mailbox, report)
    [item] = both_formats(
        client,
        f"requests/{report.case_number}.{{fmt}}?extensions=true",
        "requests.json",
        "service_requests",
    )
    assert item["extended_attributes"]["votes"] == 1
    [plain] = both_formats(
        client, f"requests/{report.case_number}.{{fmt}}", "requests.json", "service_requests"
    )
    assert "extended_attributes" not in plain


def test_the_map_card_and_the_nearby_list_show_the_count(client, mailbox, report):
    supported(client, mailbox, report)
    lat, lon = MITTE
    bbox = f"{lon - 0.001},{lat - 0.001},{lon + 0.001},{lat + 0.001}"
    features = client.get("/api/v1/map", query_string={"bbox": bbox, "zoom": "19"}).json
    [card] = [f["properties"] for f in features["features"] if f.get("id") == report.case_number]
    assert card["supports"] == 1
    [near] = client.get(
        "/api/v1/nearby", query_string={"lat": lat, "lon": lon, "category": "licht"}
    ).json["reports"]
    assert near["support_count"] == 1
    assert near["support_url"] == f"/meldungen/{report.case_number}/unterstuetzen"


def test_the_form_without_javascript_offers_support_for_the_nearby_report(client, report):
    page = post_report(client, form_data(nearby="1")).get_data(as_text=True)
    assert f'href="/meldungen/{report.case_number}/unterstuetzen"' in page
    assert "Ich bin auch betroffen" in page


# --- the list sorted by support, page by page ------------------------------------------------


def _with_counts(make_report, counts: list[int]) -> list[Report]:
    reports = []
    for i, n in enumerate(counts):
        made = make_report(published=True, age=timedelta(hours=len(counts) - i))
        made.support_count = n
        reports.append(made)
    db.session.commit()
    return reports


def _walk(client, url: str) -> list[str]:
    """Every case number, following the pager's "next" links to the end."""
    seen: list[str] = []
    while url:
        page = client.get(url).get_data(as_text=True)
        seen += re.findall(r'<a href="/meldungen/(\d{4}-\d+)"><strong>', page)
        found = re.search(r'href="([^"]+)" rel="next"', page)
        url = found.group(1).replace("&amp;", "&") if found else ""
    return seen


def test_the_list_sorts_by_support_across_pages(client, make_report, monkeypatch):
    monkeypatch.setattr(listing, "PAGE_SIZE", 2)
    reports = _with_counts(make_report, [0, 3, 1, 3, 0, 2])
    by_support = sorted(reports, key=lambda r: (-r.support_count, -r.created_at.timestamp()))
    walked = _walk(client, "/meldungen?sortierung=unterstuetzung")
    assert walked == [r.case_number for r in by_support]
    newest = _walk(client, "/meldungen")
    assert newest == [r.case_number for r in reversed(reports)]


def test_a_count_that_grows_between_pages_neither_repeats_nor_skips(
    client, make_report, monkeypatch
):
    monkeypatch.setattr(listing, "PAGE_SIZE", 2)
    reports = _with_counts(make_report, [5, 4, 3, 2])
    first = client.get("/meldungen?sortierung=unterstuetzung").get_data(as_text=True)
    next_url = re.search(r'href="([^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    reports[1].support_count = 9  # the last row of page one gains supporters meanwhile
    db.session.commit()
    second = client.get(next_url).get_data(as_text=True)
    assert re.findall(r'<a href="/meldungen/(\d{4}-\d+)"><strong>', second) == [
        reports[2].case_number,
        reports[3].case_number,
    ]


def test_an_unknown_sort_is_a_clear_400(client):
    response = client.get("/meldungen?sortierung=DROP")
    assert response.status_code == 400
    assert "Unbekannte Sortierung" in response.get_data(as_text=True)


# --- staff ---------------------------------------------------------------------------------


def test_the_inbox_shows_the_count_and_sorts_by_it(client, make_report, login_as):
    quiet = make_report(age=timedelta(days=1), published=False)
    wanted = make_report(published=False)
    wanted.support_count = 4
    db.session.commit()
    login_as("dispatcher")
    oldest_first = client.get("/staff/eingang").get_data(as_text=True)
    assert oldest_first.index(quiet.case_number) < oldest_first.index(wanted.case_number)
    assert "4 auch betroffen" in oldest_first
    by_support = client.get("/staff/eingang?sortierung=unterstuetzung").get_data(as_text=True)
    assert by_support.index(wanted.case_number) < by_support.index(quiet.case_number)
    odd = client.get("/staff/eingang?sortierung=quatsch", follow_redirects=True)
    assert odd.status_code == 200 and "Unbekannte Sortierung" in odd.get_data(as_text=True)


def test_published_reports_show_the_count_to_crews_and_sort_their_queue(
    client, make_report, login_as
):
    """Once published a report leaves the inbox: the queue and its page show the count."""
    quiet = make_report(age=timedelta(days=1), published=True)
    wanted = make_report(published=True)
    wanted.support_count = 3
    db.session.commit()
    login_as("crew_light")
    oldest_first = client.get("/staff/warteschlange").get_data(as_text=True)
    assert oldest_first.index(quiet.case_number) < oldest_first.index(wanted.case_number)
    assert "3 auch betroffen" in oldest_first
    by_support = client.get("/staff/warteschlange?sortierung=unterstuetzung")
    page = by_support.get_data(as_text=True)
    assert page.index(wanted.case_number) < page.index(quiet.case_number)
    job = client.get(f"/staff/meldungen/{wanted.case_number}").get_data(as_text=True)
    assert "Auch betroffen" in job and "3 Personen" in job


# --- retention -----------------------------------------------------------------------------


def test_retention_deletes_supporters_addresses_but_keeps_the_count(client, mailbox, make_report):
    report = make_report(published=True)
    supported(client, mailbox, report)
    ask(client, make_report(published=True).case_number, "spaeter@example.org")  # unconfirmed
    set_status(report, Status.RESOLVED, datetime.now(UTC) - timedelta(days=400))
    db.session.commit()
    counts = purge(retention_days=90, now=datetime.now(UTC) + timedelta(days=8))
    assert counts["supports"] == 1 and counts["unconfirmed_supports"] == 1
    assert db.session.scalar(select(func.count()).select_from(Support)) == 0
    assert count_of(report) == 1


def test_a_rejection_taken_back_brings_the_supporters_back(client, mailbox, make_report, login_as):
    report = make_report(published=True)
    supported(client, mailbox, report)
    login_as("dispatcher")
    assert act(client, report.case_number, "ablehnen", reason="spam").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Support)) == 0
    found = db.session.scalar(
        select(RejectedReport).where(RejectedReport.case_number == report.case_number)
    )
    assert client.post(f"/staff/abgelehnt/{found.id}/wiederherstellen").status_code == 302
    restored = current(report.case_number)
    assert restored.support_count == 1
    assert db.session.scalar(select(Support.email).where(Support.report_id == restored.id)) == (
        SUPPORTER
    )


# --- the reporter of another report, through her tracking link ------------------------------


def test_a_reporter_supports_a_similar_report_from_her_tracking_page(client, report):
    """She filed, then saw the same defect reported already: one button on her private page
    counts her support there, once, with her link as the proof (no mail)."""
    assert (
        post_report(client, form_data(email="zweite@example.org", consent="y")).status_code == 302
    )
    tracking = tracking_link(confirmation(client))
    token = tracking.rsplit("/", 1)[1]
    mine = db.session.scalar(select(Report).order_by(Report.id.desc()).limit(1))
    page = client.get(tracking).get_data(as_text=True)
    assert "Ähnliche Meldungen in der Nähe" in page and report.case_number in page
    url = f"/verfolgen/{token}/unterstuetzen/{report.case_number}"
    assert f'action="{url}"' in page
    answer = client.post(url)
    assert answer.status_code == 303 and answer.headers["Location"].endswith("#naehe")
    assert current(report.case_number).support_count == 1
    again = client.get(tracking).get_data(as_text=True)
    assert "Von Ihnen unterstützt" in again and "zählt" in again
    twice = client.post(url)
    assert twice.status_code == 409 and "Schon gezählt" in twice.get_data(as_text=True)
    own = client.post(f"/verfolgen/{token}/unterstuetzen/{mine.case_number}")
    assert own.status_code == 409 and current(mine.case_number).support_count == 0
    forged = client.post(f"/verfolgen/{'A' * 43}/unterstuetzen/{report.case_number}")
    assert forged.status_code == 410
    assert current(report.case_number).support_count == 1
    stored = db.session.scalar(select(Support).where(Support.report_id == report.id))
    assert stored.email is None and stored.token_hash and token not in stored.token_hash
    public = client.get(f"/meldungen/{report.case_number}").get_data(as_text=True)
    assert "1 Person" in public and token not in public and stored.token_hash not in public


def test_a_closed_report_takes_no_support_from_a_tracking_link(client, report):
    assert post_report(client, form_data()).status_code == 302
    token = tracking_link(confirmation(client)).rsplit("/", 1)[1]
    set_status(current(report.case_number), Status.RESOLVED, datetime.now(UTC))
    db.session.commit()
    answer = client.post(f"/verfolgen/{token}/unterstuetzen/{report.case_number}")
    assert answer.status_code == 409 and current(report.case_number).support_count == 0
