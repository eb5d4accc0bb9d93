"""The central inbox moderates: redacts text, hides photos, rejects spam and abuse, and closes
duplicates — and the public outputs follow at once."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import MapCell, Photo, RejectedReport, Report, TimelineEvent
from app.models.map_cell import FINEST_LEVEL
from tests.factories import MITTE, jpeg
from tests.fixtures.reports import current, public_urls
from tests.fixtures.staff import act
from tests.helpers import confirmation, form_data, post_report, tracking_link, with_photos

NAME = "Herr Quirinus Wassermann"


def file(
    client, description: str = f"Laterne dunkel, {NAME} wohnt hier", photo: bool = True, **kw
) -> Report:
    data = form_data(description=description, **kw)
    response = post_report(client, with_photos(data, jpeg()) if photo else data)
    assert response.status_code == 302
    page = confirmation(client)
    report = db.session.scalar(select(Report).order_by(Report.id.desc()).limit(1))
    report.link = tracking_link(page)  # type: ignore[attr-defined]
    return report


def snapshot(case: str) -> tuple:
    report = current(case)
    events = db.session.scalar(select(func.count()).select_from(TimelineEvent))
    hidden = tuple(p.hidden for p in report.photos)
    return (report.version, report.description, report.original_description, hidden, events)


def everything_public(client, reports: list[Report]) -> str:
    bodies = []
    for url in public_urls(reports):
        response = client.get(url)
        bodies.append(response.get_data(as_text=True) if response.status_code == 200 else "")
    return "\n".join(bodies)


def test_redacted_text_is_public_and_the_original_stays_with_staff(client, uploads, login_as):
    report = file(client)
    case = report.case_number
    login_as("dispatcher")
    act(client, case, "veroeffentlichen")
    public_text = "Laterne dunkel vor Hausnummer 12"
    assert act(client, case, "text", description=public_text).status_code == 302
    assert "Wassermann" not in everything_public(client, [report])
    assert public_text in client.get(f"/meldungen/{case}").get_data(as_text=True)
    staff_page = client.get(f"/staff/meldungen/{case}").get_data(as_text=True)
    assert NAME in staff_page and public_text in staff_page
    assert current(case).original_description.endswith("wohnt hier")


def test_redacting_back_to_the_original_forgets_the_copy(client, uploads, login_as):
    case = file(client).case_number
    original = current(case).description
    login_as("dispatcher")
    act(client, case, "text", description="gekürzt")
    act(client, case, "text", description=original)
    assert current(case).original_description is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "darf nicht leer sein"),
        ("x" * 2001, "höchstens 2000 Zeichen"),
        ("Text\x00mit Nullbyte", "Steuerzeichen"),
        ("Laterne dunkel, Herr Quirinus Wassermann wohnt hier", "unverändert"),
    ],
)
def test_bad_redactions_change_nothing(client, uploads, text, message, login_as):
    case = file(client).case_number
    login_as("dispatcher")
    before = snapshot(case)
    response = act(client, case, "text", description=text)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert snapshot(case) == before


def test_a_hidden_photo_disappears_from_every_public_output(client, uploads, login_as):
    report = file(client)
    case, link = report.case_number, report.link
    login_as("dispatcher")
    act(client, case, "veroeffentlichen")
    photo = current(case).photos[0]
    name = photo.filename
    assert client.get(f"/fotos/{name}").status_code == 200
    assert act(client, case, "foto", photo=str(photo.id)).status_code == 302
    assert client.get(f"/fotos/{name}").status_code == 404
    assert client.get(f"{link}/fotos/{name}").status_code == 404
    assert name not in everything_public(client, [report])
    assert (uploads / name).exists()  # hidden, not deleted: staff still see it
    assert client.get(f"/staff/meldungen/{case}/fotos/{name}").status_code == 200
    act(client, case, "foto", photo=str(photo.id))
    assert client.get(f"/fotos/{name}").status_code == 200


def test_a_photo_of_another_report_cannot_be_hidden(client, uploads, login_as):
    first = file(client).case_number
    other_photo = file(client).photos[0].id
    login_as("dispatcher")
    before = snapshot(first)
    response = act(client, first, "foto", photo=str(other_photo))
    assert response.status_code == 422
    assert "gehört nicht zu der Meldung" in response.get_data(as_text=True)
    assert snapshot(first) == before
    assert act(client, first, "foto", photo="1 OR 1=1").status_code == 422


def map_total() -> int:
    return db.session.scalar(
        select(func.coalesce(func.sum(MapCell.n), 0)).where(MapCell.level == FINEST_LEVEL)
    )


def test_rejected_spam_leaves_every_public_output(client, uploads, login_as):
    keep = file(client, description="Echte Meldung", photo=False)
    spam = file(client, description="Billige Uhren kaufen")
    case, link = spam.case_number, spam.link
    files = [n for p in spam.photos for n in (p.filename, p.thumbnail)]
    login_as("dispatcher")
    act(client, case, "veroeffentlichen")
    assert "Billige Uhren" in everything_public(client, [keep, spam])
    cells_before = map_total()

    response = act(client, case, "ablehnen", reason="spam", note="Werbung")
    assert response.status_code == 302 and response.headers["Location"].endswith("/staff/eingang")
    assert "abgelehnt" in client.get(response.headers["Location"]).get_data(as_text=True)
    public = everything_public(client, [keep, spam])
    assert "Billige Uhren" not in public and case not in public
    assert keep.case_number in public
    assert map_total() == cells_before - 1
    assert client.get(f"/meldungen/{case}").status_code == 404
    assert client.get(f"/open311/v2/requests/{case}.json").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Photo)) == 0
    # The files wait for the day's end (the rejection may be taken back) but are not served.
    for name in files:
        assert client.get(f"/fotos/{name}").status_code == 404

    tracking = client.get(link)
    assert tracking.status_code == 410
    assert "nicht angenommen" in tracking.get_data(as_text=True)
    rejected = db.session.scalar(select(RejectedReport))
    assert (rejected.case_number, rejected.reason, rejected.note) == (case, "spam", "Werbung")
    assert rejected.rejected_by == "Poststelle"


@pytest.mark.parametrize("reason", ["", "langweilig", "spam' OR '1'='1"])
def test_rejecting_without_a_valid_reason_changes_nothing(client, uploads, reason, login_as):
    spam = file(client)
    login_as("dispatcher")
    before = snapshot(spam.case_number)
    response = act(client, spam.case_number, "ablehnen", reason=reason)
    assert response.status_code == 422
    assert "Spam oder Missbrauch" in response.get_data(as_text=True)
    assert snapshot(spam.case_number) == before
    assert all((uploads / p.filename).exists() for p in spam.photos)


def test_crew_may_not_moderate(client, uploads, login_as):
    case = file(client).case_number
    login_as("crew_light")
    before = snapshot(case)
    for action, data in [
        ("ablehnen", {"reason": "spam"}),
        ("text", {"description": "neu"}),
        ("foto", {"photo": str(current(case).photos[0].id)}),
        ("duplikat", {"original": case}),
    ]:
        assert act(client, case, action, **data).status_code == 403, action
    assert snapshot(case) == before


NEAR = (MITTE[0] + 0.0002, MITTE[1])  # about 22 m north
FAR = (MITTE[0] + 0.002, MITTE[1])  # about 220 m north


def test_duplicates_are_suggested_within_50_m_of_the_same_category(client, login_as):
    original = file(client, photo=False)
    near = file(client, lat=str(NEAR[0]), lon=str(NEAR[1]), photo=False)
    far = file(client, lat=str(FAR[0]), lon=str(FAR[1]), photo=False)
    login_as("dispatcher")
    act(client, far.case_number, "kategorie", category="muell")
    other = file(client, lat=str(NEAR[0]), lon=str(NEAR[1]), photo=False)
    act(client, other.case_number, "kategorie", category="muell")
    page = client.get(f"/staff/meldungen/{near.case_number}").get_data(as_text=True)
    assert f"Duplikat von {original.case_number}" in page
    assert f"Duplikat von {far.case_number}" not in page
    assert f"Duplikat von {other.case_number}" not in page


def test_a_duplicate_closes_with_a_public_link_to_the_original(client, login_as):
    original = file(client, photo=False).case_number
    duplicate = file(client, lat=str(NEAR[0]), lon=str(NEAR[1]), photo=False).case_number
    login_as("dispatcher")
    assert act(client, duplicate, "duplikat", original=original).status_code == 302
    report = current(duplicate)
    assert report.status == "duplicate" and report.duplicate_of.case_number == original
    page = client.get(f"/meldungen/{duplicate}").get_data(as_text=True)
    assert f'href="/meldungen/{original}"' in page and "Duplikat" in page
    answer = client.get(f"/open311/v2/requests/{duplicate}.json").get_json()[0]
    assert answer["status"] == "closed" and original in answer["status_notes"]


def test_duplicates_of_a_duplicate_point_to_the_new_original(client, login_as):
    first, second, third = (file(client, photo=False).case_number for _ in range(3))
    login_as("dispatcher")
    act(client, second, "duplikat", original=first)
    act(client, first, "duplikat", original=third)
    assert current(second).duplicate_of.case_number == third
    response = act(client, second, "duplikat", original=third)
    assert response.status_code == 422
    assert "bereits als Duplikat geschlossen" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("original", "message"),
    [
        ("2099-999999", "Keine Meldung mit dieser Vorgangsnummer"),
        ("", "Keine Meldung mit dieser Vorgangsnummer"),
        ("x" * 5000, "Keine Meldung mit dieser Vorgangsnummer"),
        ("self", "kein Duplikat von sich selbst"),
    ],
)
def test_bad_duplicate_marks_change_nothing(client, original, message, login_as):
    case = file(client, photo=False).case_number
    login_as("dispatcher")
    before = snapshot(case)
    response = act(client, case, "duplikat", original=case if original == "self" else original)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert snapshot(case) == before and current(case).status == "received"


def test_an_outdated_page_cannot_redact_or_reject(client, uploads, login_as):
    case = file(client).case_number
    login_as("dispatcher")
    stale = str(current(case).version)
    act(client, case, "text", description="neue Fassung")
    before = snapshot(case)
    for action, data in [("text", {"description": "andere"}), ("ablehnen", {"reason": "spam"})]:
        response = act(client, case, action, version=stale, **data)
        assert response.status_code == 409
        assert "inzwischen geändert" in response.get_data(as_text=True)
    assert snapshot(case) == before
