"""The citizen's report form: the happy path, privacy, and what a retry does."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from sqlalchemy import select

from app.extensions import db
from app.models import Photo, Report, Status
from tests.factories import jpeg
from tests.helpers import (
    confirmation,
    counts,
    form_data,
    post_report,
    tracking_link,
    with_photos,
)


def test_form_page_has_labelled_fields_and_fallback_coordinates(client):
    page = client.get("/melden").get_data(as_text=True)
    for label in ("Kategorie", "Beschreibung", "Breitengrad", "Längengrad", "Fotos", "E-Mail"):
        assert f">{label}" in page
    assert 'name="lat"' in page and 'name="lon"' in page
    assert "Meinen Standort verwenden" in page
    assert 'href="/datenschutz"' in page


def test_filing_a_report_with_photo_routes_and_confirms(client, uploads):
    data = with_photos(form_data(name="Erika Mustermann", email="erika@example.org"), jpeg())
    data["consent"] = "y"
    response = post_report(client, data)
    assert response.status_code == 302
    report = db.session.scalars(select(Report)).one()
    assert report.district.name == "Mitte"
    assert report.department.code == "tbs-licht"
    assert report.status == Status.RECEIVED
    assert [e.status for e in report.events] == ["received"]
    assert len(report.photos) == 1

    page = confirmation(client)
    assert report.case_number in page
    link = tracking_link(page)
    response = client.get(link)
    assert response.headers["Cache-Control"] == "no-store, private"
    tracking = response.get_data(as_text=True)
    assert "Eingegangen" in tracking
    assert "Erika Mustermann" in tracking and "erika@example.org" in tracking
    assert report.tracking_token_hash not in tracking


def test_public_page_never_shows_personal_data(client, uploads, app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLISHING", "immediate")
    data = form_data(name="Zacharias Quendel", email="zq-7781@example.org", phone="0212 998877")
    data["consent"] = "y"
    post_report(client, with_photos(data, jpeg()))
    report = db.session.scalars(select(Report)).one()
    page = client.get(f"/meldungen/{report.case_number}").get_data(as_text=True)
    assert "Laterne vor Hausnummer 12" in page  # published at once: the text is public
    assert "Eingegangen" in page and "Mitte" in page and "TBS – Straßenbeleuchtung" in page
    for secret in ("Zacharias", "Quendel", "zq-7781", "998877"):
        assert secret not in page


def test_moderated_report_hides_text_and_photos_until_published(client, uploads):
    post_report(client, with_photos(form_data(description="Geheimer Hinweis auf Herrn X"), jpeg()))
    report = db.session.scalars(select(Report)).one()
    page = client.get(f"/meldungen/{report.case_number}").get_data(as_text=True)
    assert "Geheimer Hinweis" not in page
    assert "werden noch geprüft" in page
    photo = report.photos[0]
    assert client.get(f"/fotos/{photo.filename}").status_code == 404
    assert client.get(f"/fotos/{photo.thumbnail}").status_code == 404


def test_tracking_page_shows_own_photos_before_publishing(client, uploads):
    post_report(client, with_photos(form_data(), jpeg()))
    photo = db.session.scalars(select(Photo)).one()
    link = tracking_link(confirmation(client))
    response = client.get(f"{link}/fotos/{photo.thumbnail}")
    assert response.status_code == 200
    assert response.mimetype == "image/jpeg"
    assert "no-store" in response.headers["Cache-Control"]
    assert client.get("/verfolgen/falsch/fotos/" + photo.thumbnail).status_code == 404


def test_stored_photos_carry_no_exif_or_gps(client, uploads):
    post_report(client, with_photos(form_data(), jpeg(gps=(51.17, 7.08))))
    photo = db.session.scalars(select(Photo)).one()
    for name in (photo.filename, photo.thumbnail):
        raw = (uploads / name).read_bytes()
        image = Image.open(io.BytesIO(raw))
        assert not image.getexif()
        assert b"TestCam" not in raw and b"Exif" not in raw
    assert sorted(p.name for p in uploads.iterdir()) == sorted([photo.filename, photo.thumbnail])


def test_sending_the_same_form_twice_creates_one_report(client, uploads):
    data = form_data()
    first = post_report(client, with_photos(dict(data), jpeg()))
    page = confirmation(client)
    assert "bereits eingegangen" not in page
    second = post_report(client, with_photos(dict(data), jpeg()))
    assert first.status_code == second.status_code == 302
    assert counts() == (1, 1, 1)
    again = confirmation(client)
    assert tracking_link(again) == tracking_link(page)  # the retry gets the same private link
    assert "bereits eingegangen" in again
    assert len(list(uploads.iterdir())) == 2  # photo and thumbnail of the first one only


def test_confirmation_is_shown_once(client):
    post_report(client, form_data())
    assert "/verfolgen/" in confirmation(client)
    # The next person on a shared device finds no private link there.
    response = client.get("/melden/danke")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/melden")


def test_head_request_shows_the_form(client):
    assert client.head("/melden").status_code == 200


def test_text_fields_named_photos_are_not_files(client):
    response = client.post("/melden", data=form_data(photos="kein Foto"))
    assert response.status_code == 302
    assert counts() == (1, 0, 1)


def test_line_breaks_count_once(client):
    text = ("x" * 99 + "\r\n") * 20  # 2000 characters as typed, 2020 as sent
    response = post_report(client, form_data(description=text))
    assert response.status_code == 302


def test_description_is_escaped(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLISHING", "immediate")
    post_report(client, form_data(description="<script>alert('x')</script> kaputt"))
    report = db.session.scalars(select(Report)).one()
    page = client.get(f"/meldungen/{report.case_number}").get_data(as_text=True)
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; kaputt" in page


def test_photo_gps_is_offered_when_no_pin_was_set(client, uploads):
    data = with_photos(form_data(lat="", lon=""), jpeg(gps=(51.1705, 7.0845)))
    response = post_report(client, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Ihr Foto enthält einen Standort" in page
    assert 'value="51.170500"' in page and 'value="7.084500"' in page
    assert counts() == (0, 0, 0)


def test_security_headers(client):
    response = client.get("/melden")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "https://tile.openstreetmap.org" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize(
    "url",
    ["/", "/melden", "/meldungen", "/ueber", "/datenschutz", "/impressum", "/barrierefreiheit"],
)
def test_no_inline_script_on_any_page(client, url):
    page = client.get(url).get_data(as_text=True)
    scripts = re.findall(r"<script\b[^>]*>", page)
    assert all("src=" in tag for tag in scripts)
    assert " on" + "click=" not in page and "javascript:" not in page


def test_fields_have_labels_and_valid_aria(client):
    page = client.get("/melden").get_data(as_text=True)
    fields = ("category", "description", "lat", "lon", "photos", "name", "email", "phone")
    for field in (*fields, "consent", "share_consent"):
        assert f'<label for="{field}">' in page
    assert 'aria-invalid="None"' not in page and 'aria-describedby="None"' not in page
    invalid = post_report(client, form_data(description="")).get_data(as_text=True)
    assert 'aria-invalid="true"' in invalid
    assert 'aria-describedby="description-hint description-error"' in invalid


def test_photo_position_endpoint_reads_gps_and_keeps_nothing(client, uploads):
    response = client.post(
        "/melden/foto-standort",
        data={"photo": (io.BytesIO(jpeg(gps=(51.1705, 7.0845))), "a.jpg")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert response.json["lat"] == pytest.approx(51.1705, abs=1e-4)
    assert response.json["lon"] == pytest.approx(7.0845, abs=1e-4)
    assert list(uploads.iterdir()) == []
    assert counts() == (0, 0, 0)


def test_photo_position_endpoint_without_gps_or_with_bad_file(client):
    plain = client.post(
        "/melden/foto-standort",
        data={"photo": (io.BytesIO(jpeg()), "a.jpg")},
        content_type="multipart/form-data",
    )
    assert plain.json == {"lat": None, "lon": None}
    bad = client.post(
        "/melden/foto-standort",
        data={"photo": (io.BytesIO(b"kein Bild"), "a.jpg")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422
    assert "kein unterstütztes Bild" in bad.json["error"]


def test_service_refuses_an_inactive_category(client):
    from app.models import Category
    from app.reports.service import Draft, ReportRefused, submit
    from tests.factories import MITTE
    from tests.helpers import category_id

    category = db.session.get(Category, category_id("licht"))
    category.active = False
    db.session.flush()
    with pytest.raises(ReportRefused) as refused:
        submit(Draft(category_id=category.id, description="x", lat=MITTE[0], lon=MITTE[1]))
    assert list(refused.value.errors) == ["category"]
    assert counts() == (0, 0, 0)


def test_missing_photo_file_is_a_404_not_a_500(client, uploads, app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLISHING", "immediate")
    post_report(client, with_photos(form_data(), jpeg()))
    photo = db.session.scalars(select(Photo)).one()
    (uploads / photo.filename).unlink()
    assert client.get(f"/fotos/{photo.filename}").status_code == 404
    assert client.get(f"/fotos/{photo.thumbnail}").status_code == 200


def test_public_timeline_newest_last_in_berlin_time(client):
    from datetime import UTC, datetime

    from app.models import TimelineEvent

    post_report(client, form_data())
    report = db.session.scalars(select(Report)).one()
    winter = datetime(2026, 1, 15, 23, 30, tzinfo=UTC)  # 00:30 on the 16th in Berlin
    report.created_at = winter
    report.events[0].created_at = winter
    db.session.add_all(
        [
            TimelineEvent(
                report=report,
                kind="status_change",
                status="in_progress",
                author="Bauhof",
                created_at=datetime(2026, 1, 17, 8, 0, tzinfo=UTC),
            ),
            TimelineEvent(
                report=report,
                kind="public_note",
                note="Material ist bestellt.",
                author="Bauhof",
                created_at=datetime(2026, 1, 17, 9, 0, tzinfo=UTC),
            ),
            TimelineEvent(
                report=report,
                kind="internal_note",
                note="Intern: Kollege krank",
                public=False,
                author="Bauhof",
                created_at=datetime(2026, 1, 17, 10, 0, tzinfo=UTC),
            ),
        ]
    )
    db.session.flush()
    page = client.get(f"/meldungen/{report.case_number}").get_data(as_text=True)
    order = [
        page.index(s) for s in ("16.01.2026, 00:30", "17.01.2026, 09:00", "Material ist bestellt.")
    ]
    assert order == sorted(order)
    assert "In Bearbeitung" in page and "Hinweis der Stadt" in page
    assert "Kollege krank" not in page


def test_sharing_contact_data_is_off_until_ticked(client):
    page = client.get("/melden").get_data(as_text=True)
    box = re.search(r"<input[^>]*\bid=\"share_consent\"[^>]*>", page)
    assert box is not None and 'type="checkbox"' in box[0] and "checked" not in box[0]
    assert 'aria-describedby="share_consent-hint"' in box[0] and 'id="share_consent-hint"' in page
    assert "an eine andere zuständige Stelle (z. B. Nachbarkommune, Straßen.NRW)" in page


@pytest.mark.parametrize(
    ("contact", "ticked", "shared"),
    [
        ({"email": "erika@example.org", "consent": "y"}, False, False),
        ({"email": "erika@example.org", "consent": "y"}, True, True),
        ({"phone": "0212 123456", "consent": "y"}, True, True),
        ({}, True, False),  # nothing to pass on: the rulebook keeps no consent
    ],
)
def test_share_consent_reaches_the_report(client, contact, ticked, shared):
    data = form_data(**contact, share_consent="y" if ticked else None)
    assert post_report(client, data).status_code == 302
    assert db.session.scalars(select(Report)).one().share_consent is shared


SCRIPT = {"Accept": "application/json"}  # what static/js/photos.js asks for when it sends


def test_the_script_is_told_where_the_confirmation_is(client, uploads):
    response = post_report(client, with_photos(form_data(), jpeg()), headers=SCRIPT)
    # Not a redirect: XMLHttpRequest would follow it and use up the confirmation (shown once).
    assert response.status_code == 201
    assert response.json == {"redirect": "/melden/danke"}
    assert response.headers["Location"] == "/melden/danke"
    assert counts()[:2] == (1, 1)
    assert "Vielen Dank für Ihre Meldung!" in confirmation(client)


def test_a_refused_form_sent_by_the_script_does_not_ask_for_the_photos_again(client, uploads):
    data = with_photos(form_data(email="erika@example.org"), jpeg())  # consent not ticked
    response = post_report(client, data, headers=SCRIPT)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and response.mimetype == "text/html"
    assert 'class="error-summary"' in page
    assert 'id="photos-again"' not in page  # the script attaches them again
    without_script = post_report(client, with_photos(form_data(email="erika@example.org"), jpeg()))
    assert 'id="photos-again"' in without_script.get_data(as_text=True)
    assert counts() == (0, 0, 0)


def test_the_photo_field_carries_the_limits_for_the_script(client, app):
    page = client.get("/melden").get_data(as_text=True)
    assert f'data-max-size="{app.config["PHOTO_MAX_SIZE"]}"' in page
    assert f'data-max-photos="{app.config["MAX_PHOTOS"]}"' in page
    assert 'data-send="script"' in page
    assert "js/photos.js" in page
