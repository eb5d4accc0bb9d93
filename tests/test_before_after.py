"""After photos belong to their timeline entry and are shown as "nachher" beside the reporter's
"vorher" photo — on the public page once published, on the tracking page at once — and only
through the public projection."""

from __future__ import annotations

import importlib.util
import io
from dataclasses import asdict
from pathlib import Path

import pytest
from sqlalchemy import select, text

from app.extensions import db
from app.models import EventKind, Photo, TimelineEvent
from app.public.projection import public_report, tracked_report
from tests.factories import jpeg
from tests.fixtures.reports import current
from tests.fixtures.staff import act
from tests.helpers import confirmation, form_data, post_report, tracking_link, with_photos

MIGRATION = next(Path(__file__).parents[1].glob("migrations/versions/*_e2b3c4d5f6a7_*.py"))


def resolve_with_photo(client, case: str, visibility: str = "public") -> Photo:
    response = act(
        client,
        case,
        "status",
        status="resolved",
        note="Leuchtmittel getauscht.",
        visibility=visibility,
        photo=(io.BytesIO(jpeg((800, 600))), "nachher.jpg"),
    )
    assert response.status_code == 302
    return db.session.scalar(select(Photo).where(Photo.after).order_by(Photo.id.desc()))


@pytest.fixture
def filed(client, uploads, staff) -> tuple[str, str]:
    """A report filed through the form with one photo: its case number and tracking link."""
    data = with_photos(
        form_data(description="Laterne dunkel", email="erika@example.org", consent="y"), jpeg()
    )
    assert post_report(client, data).status_code == 302
    link = tracking_link(confirmation(client))
    return current_case(), link


def current_case() -> str:
    from app.models import Report

    return db.session.scalar(select(Report.case_number).order_by(Report.id.desc()).limit(1))


def test_the_public_page_shows_nachher_beside_vorher(client, filed, login_as):
    case, _link = filed
    login_as("dispatcher", client)
    act(client, case, "veroeffentlichen")
    client.post("/abmelden")
    login_as("crew_light")
    after = resolve_with_photo(client, case)
    shown = public_report(current(case))
    assert [p.after for p in shown.before_photos] == [False]
    assert [p.filename for p in shown.after_photos] == [after.filename]
    photo_event = next(e for e in shown.events if e.kind == EventKind.PHOTO)
    assert [p.filename for p in photo_event.photos] == [after.filename]
    assert "Licht" not in repr(asdict(shown))  # the crew member is never named
    page = client.get(f"/meldungen/{case}").get_data(as_text=True)
    section = page[page.index("Vorher – nachher") :]
    before = shown.before_photos[0]
    assert section.index(before.thumbnail) < section.index(after.thumbnail)
    assert "Vorher: Foto der Meldung" in page and "Nachher: Foto der Stadt" in page
    assert client.get(f"/fotos/{after.filename}").status_code == 200


def test_unpublished_the_public_sees_no_photo_and_the_reporter_sees_both(client, filed, login_as):
    case, link = filed
    login_as("crew_light")
    after = resolve_with_photo(client, case)
    public = client.get(f"/meldungen/{case}").get_data(as_text=True)
    assert after.thumbnail not in public and "nachher" not in public
    assert public_report(current(case)).after_photos == ()
    own = client.get(link).get_data(as_text=True)
    assert "Vorher – nachher" in own and after.thumbnail in own
    assert client.get(f"{link}/fotos/{after.thumbnail}").status_code == 200
    assert [p.filename for p in tracked_report(current(case)).after_photos] == [after.filename]


def test_a_hidden_reporter_photo_leaves_nachher_alone(client, filed, login_as):
    case, _link = filed
    login_as("dispatcher", client)
    act(client, case, "veroeffentlichen")
    before = current(case).photos[0]
    act(client, case, "foto", photo=str(before.id))
    after = resolve_with_photo(client, case)
    page = client.get(f"/meldungen/{case}").get_data(as_text=True)
    assert "Foto nach der Bearbeitung" in page and "Vorher – nachher" not in page
    assert before.thumbnail not in page and after.thumbnail in page


def test_an_internal_after_photo_is_in_no_public_output(client, filed, login_as):
    case, link = filed
    login_as("dispatcher", client)
    act(client, case, "veroeffentlichen")
    after = resolve_with_photo(client, case, visibility="internal")
    for url in (f"/meldungen/{case}", link, f"/open311/v2/requests/{case}.json?extensions=true"):
        assert after.filename not in client.get(url).get_data(as_text=True), url
        assert after.thumbnail not in client.get(url).get_data(as_text=True), url


def test_the_migration_ties_earlier_after_photos_to_their_event(client, filed, login_as):
    case, _link = filed
    login_as("crew_light")
    after = resolve_with_photo(client, case)
    event_id = after.event_id
    # As the app stored them before photos knew their event.
    db.session.execute(text("UPDATE photos SET event_id = NULL"))
    spec = importlib.util.spec_from_file_location("crew_migration", MIGRATION)
    assert spec is not None and spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    db.session.execute(text(migration.TIE_EARLIER_AFTER_PHOTOS))
    db.session.expire_all()
    tied = {p.id: p.event_id for p in db.session.scalars(select(Photo))}
    assert tied[after.id] == event_id
    assert [v for k, v in tied.items() if k != after.id] == [None]  # the reporter's photo
    assert db.session.get(TimelineEvent, event_id).kind == EventKind.PHOTO


def test_a_report_with_an_after_photo_can_still_be_rejected(client, filed, login_as):
    """Report, photos and entries go in one delete, the photo's link to its entry included."""
    case, link = filed
    login_as("crew_light")
    resolve_with_photo(client, case)
    client.post("/abmelden")
    login_as("dispatcher")
    assert act(client, case, "ablehnen", reason="spam").status_code == 302
    assert db.session.scalar(select(Photo).limit(1)) is None
    assert client.get(link).status_code == 410
