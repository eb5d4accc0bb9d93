"""Personal data given through any channel never reaches a public page, map answer, Open311
answer, feed, export or statistics page."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Photo, Report
from app.open311.filing import create_api_key
from tests.factories import MITTE, jpeg
from tests.fixtures.reports import public_urls
from tests.helpers import form_data, post_report, with_photos

SECRETS = {
    "web": ("Kunigunde Pfefferkorn", "kunigunde.pfeffer@example.org", "+49 212 5550101"),
    "api": ("Bartholomäus", "Quastenflosser", "barth.quaste@example.net", "0212-5550202"),
}
NEEDLES = [
    "Kunigunde",
    "Pfefferkorn",
    "kunigunde.pfeffer",
    "5550101",
    "Bartholom",
    "Quastenflosser",
    "barth.quaste",
    "5550202",
    "geraet-4711",
    "konto-0815",
]


@pytest.fixture(params=["immediate", "moderated"])
def filed(request, client, app, uploads, monkeypatch):
    """One report through the web form and one through Open311, both with personal data."""
    monkeypatch.setitem(app.config, "PUBLISHING", request.param)
    name, email, phone = SECRETS["web"]
    data = form_data(name=name, email=email, phone=phone, consent="y")
    assert post_report(client, with_photos(data, jpeg(gps=MITTE))).status_code == 302
    _, key = create_api_key("Privacy-Test")
    first, last, email, phone = SECRETS["api"]
    response = client.post(
        "/open311/v2/requests.json",
        data={
            "api_key": key,
            "service_code": "muell",
            "lat": str(MITTE[0]),
            "long": str(MITTE[1]),
            "description": "Sperrmüll an der Ecke",
            "first_name": first,
            "last_name": last,
            "email": email,
            "phone": phone,
            "device_id": "geraet-4711",
            "account_id": "konto-0815",
            "media": (io.BytesIO(jpeg(gps=MITTE)), "x.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code in (200, 201), response.data
    for needle in NEEDLES:  # not even in the answer to the POST itself
        assert needle not in response.get_data(as_text=True)
    reports = list(db.session.scalars(select(Report).order_by(Report.id)))
    assert [r.channel for r in reports] == ["web", "api"]
    assert reports[1].reporter_email == email  # stored for staff, as it should be
    return reports


def test_the_needles_would_be_found(client, filed):
    # The check below is only as good as its needles: staff-visible copies do contain them.
    export = client.get("/export/meldungen.csv").get_data(as_text=True)
    assert all(report.case_number in export for report in filed)  # both are exported …
    assert filed[0].reporter_name in SECRETS["web"]  # … and the personal data was stored


def test_no_personal_data_in_any_public_answer(client, filed):
    for url in public_urls(filed):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.get_data(as_text=True)
        for needle in NEEDLES:
            assert needle not in body, f"{needle!r} leaked in {url}"


def test_public_photos_carry_no_metadata(client, filed, app):
    photos = db.session.scalars(select(Photo)).all()
    if app.config["PUBLISHING"] == "moderated":
        # Unpublished: not public at all.
        assert all(client.get(f"/fotos/{p.filename}").status_code == 404 for p in photos)
        return
    assert len(photos) == 2  # one from the form, one sent to Open311 as `media`
    for photo in photos:
        raw = client.get(f"/fotos/{photo.filename}").data
        assert raw[:2] == b"\xff\xd8"
        assert b"Exif" not in raw and b"TestCam" not in raw


def test_privacy_page_explains_passing_reports_on(client, app):
    page = client.get("/datenschutz").get_data(as_text=True)
    assert 'id="weitergabe"' in page  # the form links here
    for text in (
        "Nachbarkommune, Straßen.NRW oder die Stadtwerke",  # who may receive a report
        "Ohne Ihre Einwilligung erhält die Stelle nur die öffentlichen Angaben: Kategorie, Ort, "
        "den von der Stadt geprüften Text und die veröffentlichten Fotos.",
        "Ihren Namen, Ihre E-Mail-Adresse und Ihre Telefonnummer",
        "mit Wirkung für die Zukunft widerrufen",
        app.config["PRIVACY_CONTACT"],
    ):
        assert text in page


def test_without_a_replica_the_privacy_page_names_only_the_session_cookie(client):
    page = client.get("/datenschutz").get_data(as_text=True)
    assert "die Sitzung (Schutz der Formulare, Ihre gerade gesendete Meldung). Keine" in page
    assert "Vermerk" not in page
