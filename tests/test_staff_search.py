"""The staff search: case numbers in the forms people say them, words of the public and of the
original text, the reporter's e-mail and phone in any spelling — for staff only, crews only in
their departments, hostile input answered in German, and queries shaped so the indexes serve
them."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text

from app.accesslog import MaskApiKeys
from app.extensions import db
from app.models import Report
from app.staff import search
from app.staff.search import Query, SearchRefused, understand
from tests.fixtures.staff import ACCOUNTS, act

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("typed", "kind", "value"),
    [
        ("2026-000123", "case", "2026-000123"),
        ("2026-123", "case", "2026-000123"),
        (" 2026 / 0123 ", "case", "2026-000123"),
        ("2025–7", "case", "2025-000007"),
        ("123", "case", "2026-000123"),  # this year's, as said on the phone
        ("000123", "case", "2026-000123"),
        ("Opfer@Example.ORG", "email", "opfer@example.org"),
        ("0212 / 290-0", "phone", "2122900"),
        ("+49 (0)212 2900", "phone", "2122900"),
        ("0049 212-2900", "phone", "2122900"),
        ("02122900", "phone", "2122900"),  # more than six digits: no case number
        ("0212\u00a0290\u20130", "phone", "2122900"),  # pasted: no-break space, dash
        ("0212-2900", "phone", "2122900"),  # no year of ours: a phone number
        ("+31 6 1234 5678", "phone", "31612345678"),
        ("Laterne  Spielplatz laterne", "text", "Laterne Spielplatz laterne"),
        ("Kölner Str. 12", "text", "Kölner Str."),
        ("١٢٣٤٥٦٧", "text", "١٢٣٤٥٦٧"),  # digits of another script: words, never a number
        ("²²²²²²", "text", "²²²²²²"),
    ],
)
def test_what_a_query_is_understood_as(typed, kind, value):
    query = understand(typed, NOW)
    assert (query.kind, query.value) == (kind, value)


def test_short_words_are_named_and_left_out():
    query = understand("Laterne am 12 Weg", NOW)
    assert query.words == ("Laterne", "Weg") and query.dropped == ("am", "12")


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("x" * 201, "zu lang"),
        ("Laterne\x01", "Steuerzeichen"),
        ("Laterne\x7f", "Steuerzeichen"),
        ("Later\u2028ne", "Steuerzeichen"),
        ("am um zu", "mindestens ein Wort"),
        ("!", "mindestens ein Wort"),
        (" ".join(f"wort{i}" for i in range(9)), "höchstens 8"),
    ],
)
def test_queries_that_cannot_be_searched(typed, message):
    with pytest.raises(SearchRefused, match=message):
        understand(typed, NOW)


def test_an_empty_field_is_no_query():
    assert understand("   ") is None and understand(None) is None


@pytest.mark.parametrize(
    ("word", "pattern"),
    [("50%", "%50\\%%"), ("a_b", "%a\\_b%"), ("C:\\x", "%C:\\\\x%"), ("plain", "%plain%")],
)
def test_like_wildcards_are_matched_literally(word, pattern):
    assert search.like_pattern(word) == pattern


@pytest.fixture
def reports(make_report, staff) -> dict[str, Report]:
    """Street lights (tbs-licht) and one park report (tbs-gruen), with contact data."""
    return {
        "light": make_report(
            description="Die Laterne am Spielplatz Kölner Straße ist dunkel.",
            reporter_name="Erika Muster",
            reporter_email="Erika.Muster@Example.org",
            reporter_phone="0212 / 290-0",
        ),
        "percent": make_report(description="Die Lampe leuchtet nur zu 50% – halb kaputt."),
        "plain": make_report(description="Die Lampe 500 Meter weiter ist kaputt."),
        "park": make_report(
            code="gruen",
            description="Ast abgebrochen über der Laterne.",
            reporter_email="erika.muster@example.org",
            reporter_phone="+49 212 2900",
        ),
    }


def hits(client, query: str) -> list[str]:
    """Case numbers on the results page, in order."""
    response = client.get("/staff/suche", query_string={"q": query})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    page = response.get_data(as_text=True)
    numbers = db.session.scalars(select(Report.case_number)).all()
    shown = [n for n in numbers if f"<strong>{n}</strong>" in page]
    return sorted(shown, key=lambda n: page.index(f"<strong>{n}</strong>"))


def test_a_case_number_leads_straight_to_the_report(client, reports, login_as):
    login_as("dispatcher")
    case = reports["light"].case_number
    year, number = case.split("-")
    for typed in (case, f"{year}-{int(number)}", f"{year} / {int(number)}"):
        response = client.get("/staff/suche", query_string={"q": typed})
        assert response.status_code == 303
        assert response.headers["Location"].endswith(f"/staff/meldungen/{case}")
    missing = client.get("/staff/suche", query_string={"q": f"{year}-999999"})
    assert missing.status_code == 200
    assert "Keine Meldung hat diese Vorgangsnummer." in missing.get_data(as_text=True)


def test_words_of_the_description_in_any_case_each_anywhere(client, reports, login_as):
    login_as("dispatcher")
    light, park = reports["light"].case_number, reports["park"].case_number
    assert hits(client, "laterne") == [park, light]  # newest first
    assert hits(client, "SPIELPLATZ laterne") == [light]
    assert hits(client, "kölner dunkel") == [light]
    assert hits(client, "Laterne Wuppertal") == []


def test_like_wildcards_in_a_query_match_only_themselves(client, reports, login_as):
    login_as("dispatcher")
    assert hits(client, "50%") == [reports["percent"].case_number]
    assert hits(client, "%%%") == [] and hits(client, "___") == []
    assert hits(client, "\\\\\\") == []


def test_the_original_words_are_found_after_redaction(client, reports, login_as):
    login_as("dispatcher")
    case = reports["light"].case_number
    assert act(client, case, "text", description="Die Laterne ist dunkel.").status_code == 302
    assert hits(client, "Spielplatz") == [case]
    page = client.get("/staff/suche", query_string={"q": "Spielplatz"}).get_data(as_text=True)
    assert "Treffer im ursprünglichen Text der meldenden Person (nur intern)" in page


def test_reporter_contact_in_any_spelling(client, reports, login_as):
    login_as("dispatcher")
    light, park = reports["light"].case_number, reports["park"].case_number
    assert hits(client, "ERIKA.muster@example.ORG") == [park, light]
    assert hits(client, "+49 (0) 212 2900") == [park, light]
    assert hits(client, "0212 2900") == [park, light]
    assert hits(client, "0212 2901") == []
    page = client.get("/staff/suche", query_string={"q": "0212 2900"}).get_data(as_text=True)
    assert "Erika Muster" in page  # whose number it is, on this staff page


def test_a_crew_finds_only_its_departments_reports(client, reports, login_as):
    login_as("crew_parks")
    park, light = reports["park"].case_number, reports["light"].case_number
    assert hits(client, "Laterne") == [park]
    assert hits(client, "erika.muster@example.org") == [park]
    page = client.get("/staff/suche", query_string={"q": light}).get_data(as_text=True)
    assert "Keine Meldung Ihrer Abteilungen hat diese Vorgangsnummer." in page
    assert "am Spielplatz Kölner" not in page and "Erika" not in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("Laterne " * 30, "zu lang: höchstens 200 Zeichen"),
        ("Laterne\x1b[31m", "unzulässige Steuerzeichen"),
        ("Laterne\r\nSet-Cookie: x=1", "unzulässige Steuerzeichen"),
        ("am", "mindestens ein Wort"),
    ],
)
def test_hostile_queries_get_a_german_message(client, reports, login_as, query, message):
    login_as("dispatcher")
    response = client.get("/staff/suche", query_string={"q": query})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page and 'aria-invalid="true"' in page
    assert "\x1b" not in page and "\r" not in page


def test_nul_bytes_and_broken_encodings_are_no_500(client, reports, login_as):
    login_as("dispatcher")
    assert client.get("/staff/suche?q=Later%00ne").status_code == 400
    assert client.get("/staff/suche?q=%FF%FE%FDabc").status_code == 200
    assert client.get("/staff/suche?q=&q=x").status_code == 200  # the first value counts
    assert client.get("/staff/suche").status_code == 200


def test_results_are_never_cached_and_the_query_never_logged(client, reports, login_as):
    login_as("dispatcher")
    response = client.get("/staff/suche", query_string={"q": "laterne"})
    assert response.headers["Cache-Control"] == "no-store, private"
    line = (
        '127.0.0.1 - - "GET /staff/suche?x=1&q=erika.muster%40example.org HTTP/1.1" 200 - '
        '"https://melder.example/staff/suche?q=0212+2900" "Firefox"'
    )
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, line, None, None)
    MaskApiKeys().filter(record)
    assert "erika" not in record.getMessage() and "2900" not in record.getMessage()
    assert record.getMessage().count("q=[entfernt]") == 2


def test_more_hits_than_a_page(reports, staff):
    found = search.search(staff["dispatcher"], understand("Lampe"), limit=1)
    assert len(found.reports) == 1 and found.more
    assert not search.search(staff["dispatcher"], understand("Lampe"), limit=2).more


def test_the_search_field_is_in_every_staff_navigation(client, reports, login_as):
    for who in ACCOUNTS:
        login_as(who)
        for page in ("/staff/warteschlange", f"/staff/meldungen/{reports['park'].case_number}"):
            body = client.get(page).get_data(as_text=True)
            if who == "crew_light" and "meldungen" in page:
                continue  # not their department: 403
            assert 'action="/staff/suche"' in body, (who, page)
        client.post("/abmelden")


PLANS = {
    "text": (Query("text", "Laterne", ("Laterne",)), "ix_reports_description_trgm"),
    "original": (Query("text", "Laterne", ("Laterne",)), "ix_reports_original_description_trgm"),
    "email": (Query("email", "a@example.org"), "ix_reports_reporter_email_key"),
    "phone": (Query("phone", "2122900"), "ix_reports_reporter_phone_key"),
}


@pytest.mark.parametrize("kind", sorted(PLANS))
def test_each_kind_of_query_can_use_its_index(reports, staff, kind):
    """With sequential scans priced out, the plan names the index: the query's expression is
    the index's (a bound parameter in place of a constant would make it unusable)."""
    query, index = PLANS[kind]
    statement = search.visible_to(staff["dispatcher"], select(Report.id)).where(
        search._condition(query)
    )
    compiled = statement.compile(dialect=db.engine.dialect)
    connection = db.session.connection()
    connection.execute(text("SET LOCAL enable_seqscan = off"))
    plan = connection.exec_driver_sql("EXPLAIN " + str(compiled), dict(compiled.params))
    assert index in "\n".join(row[0] for row in plan)


def test_hits_older_than_the_newest_reports_come_from_the_index(reports, staff, monkeypatch):
    """A word is first looked for among the newest reports; one found only in older ones (or
    too few there) is taken from the index."""
    monkeypatch.setattr(search, "RECENT", 1)
    dispatcher = staff["dispatcher"]
    found = search.search(dispatcher, understand("Spielplatz"))  # the oldest report
    assert [r.case_number for r in found.reports] == [reports["light"].case_number]
    lamps = search.search(dispatcher, understand("Lampe"), limit=1)
    assert [r.case_number for r in lamps.reports] == [reports["plain"].case_number]
    assert lamps.more
