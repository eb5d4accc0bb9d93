"""The one privacy boundary: PublicReport and the shared SQL rule decide what the public sees."""

from __future__ import annotations

from dataclasses import asdict, fields

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import ApiKey, EventKind, Photo, Report, TimelineEvent
from app.public.projection import (
    PublicReport,
    public_photos,
    public_report,
    public_text,
    tracked_report,
)
from tests.factories import jpeg
from tests.helpers import form_data, post_report, with_photos

PERSONAL = ("Erika Mustermann", "erika@example.org", "0212 123456")
INTERNAL = "Anwohnerin ist die Schwester des Bauhofleiters"
LINK = "https://app.example.org/fotos/laterne.jpg"


@pytest.fixture
def report(client, uploads) -> Report:
    data = form_data(
        description="Laterne dunkel",
        name=PERSONAL[0],
        email=PERSONAL[1],
        phone=PERSONAL[2],
        consent="y",
    )
    assert post_report(client, with_photos(data, jpeg(), jpeg())).status_code == 302
    found = db.session.scalars(select(Report)).one()
    found.photos[1].hidden = True
    found.media_url = LINK
    db.session.add(
        TimelineEvent(
            report=found, kind=EventKind.INTERNAL_NOTE, note=INTERNAL, public=False, author="Bauhof"
        )
    )
    db.session.flush()
    db.session.refresh(found)
    return found


def everything_in(value: object) -> str:
    return repr(asdict(value))  # type: ignore[call-overload]


def test_the_public_projection_has_no_field_for_personal_data():
    names = {f.name for f in fields(PublicReport)}
    assert not {n for n in names if "reporter" in n or "email" in n or "phone" in n}


def test_an_unchecked_report_shows_neither_text_nor_photos_nor_personal_data(report):
    shown = public_report(report)
    assert (shown.published, shown.description, shown.media_url, shown.photos) == (
        False,
        None,
        None,
        (),
    )
    text = everything_in(shown)
    for secret in (*PERSONAL, INTERNAL, "Laterne dunkel"):
        assert secret not in text
    assert [e.status_label for e in shown.events] == ["Eingegangen"]


def test_events_name_a_partner_but_never_a_member_of_staff(report):
    partner = ApiKey(name="FixMyStreet", key_hash="0" * 64)
    db.session.add(partner)
    db.session.flush()
    for author, key_id, note in [
        ("Partner: FixMyStreet", partner.id, "Danke für den Hinweis."),
        ("Bauhof Müller", None, "Wir sehen nach."),
    ]:
        db.session.add(
            TimelineEvent(
                report=report,
                kind=EventKind.PUBLIC_NOTE,
                note=note,
                public=True,
                author=author,
                api_key_id=key_id,
            )
        )
    db.session.flush()
    db.session.refresh(report)
    shown = public_report(report)
    assert [(e.note, e.partner) for e in shown.events] == [
        (None, None),
        ("Danke für den Hinweis.", "FixMyStreet"),
        ("Wir sehen nach.", None),
    ]
    assert "Bauhof" not in everything_in(shown)


def test_a_published_report_shows_text_and_visible_photos_only(report):
    report.published_at = report.created_at
    shown = public_report(report)
    assert (shown.description, shown.media_url) == ("Laterne dunkel", LINK)
    assert [p.filename for p in shown.photos] == [report.photos[0].filename]
    text = everything_in(shown)
    for secret in (*PERSONAL, INTERNAL, report.photos[1].filename):
        assert secret not in text


def test_the_reporter_sees_their_own_text_photos_and_contact_before_publishing(report):
    own = tracked_report(report)
    assert own.description == "Laterne dunkel" and not own.published
    assert (own.reporter_name, own.reporter_email, own.reporter_phone) == PERSONAL
    assert [p.filename for p in own.photos] == [report.photos[0].filename]
    assert INTERNAL not in everything_in(own)


def test_the_sql_rule_hides_text_and_photos_until_published(report):
    def public_values() -> tuple:
        text = db.session.scalar(
            select(public_text(Report.published_at, Report.description)).where(
                Report.id == report.id
            )
        )
        photos = db.session.scalars(
            select(Photo.filename)
            .join(Report)
            .where(Report.id == report.id, public_photos(Report.published_at))
        ).all()
        return text, photos

    assert public_values() == (None, [])
    report.published_at = report.created_at
    db.session.flush()
    assert public_values() == ("Laterne dunkel", [report.photos[0].filename])


def test_the_public_page_links_an_app_photo_only_once_published(client, report):
    page = f"/meldungen/{report.case_number}"
    assert LINK not in client.get(page).get_data(as_text=True)
    report.published_at = report.created_at
    db.session.flush()
    assert f'href="{LINK}"' in client.get(page).get_data(as_text=True)
