"""Other bodies on the admin page: adding (e-mail, Open311 against a real peer on loopback,
with area and categories), every refusal with nothing stored, removal, and the peer's key
never on a page."""

from __future__ import annotations

import io
import json

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select, text
from werkzeug.test import TestResponse

from app.extensions import db
from app.models import Body, Category, ExchangeJob
from app.open311.filing import create_api_key
from tests.admin_support import count, page_text, refused
from tests.mailbox import free_port
from tests.open311_peer import PEER_KEY, open311_peer

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[7.0, 51.1], [7.1, 51.1], [7.1, 51.2], [7.0, 51.2], [7.0, 51.1]]],
}
POINT = {"type": "Point", "coordinates": [7.0, 51.1]}
# The same square in UTM (EPSG:25832) metres: a file exported without reprojection.
PROJECTED = {
    "type": "Polygon",
    "coordinates": [[[350000, 5660000], [357000, 5660000], [357000, 5667000], [350000, 5660000]]],
}
# An Open311 address and key that are never asked: another field is wrong, so add_body stops first.
OPEN311 = {"open311_url": "https://haan.example/open311/v2", "api_key": "schluessel"}


def add(client: FlaskClient, area: bytes | None = None, **fields: object) -> TestResponse:
    data: dict = {"name": "Stadt Haan", "email": "meldungen@haan.example", "partner_key": ""}
    data.update(fields)
    if area is not None:
        data["area"] = (io.BytesIO(area), "gebiet.geojson")
    return client.post("/admin/stellen", data=data, content_type="multipart/form-data")


def body(name: str = "Stadt Haan") -> Body | None:
    db.session.expire_all()
    return db.session.scalar(select(Body).where(Body.name == name))


def feature_collection(*geometries: dict) -> bytes:
    features = [{"type": "Feature", "properties": {}, "geometry": g} for g in geometries]
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def test_adds_an_email_body(admin):
    response = add(admin)
    assert response.status_code == 302
    assert "Stelle „Stadt Haan“ angelegt." in page_text(admin.get(response.headers["Location"]))
    added = body()
    assert added is not None and added.transport == "email"
    assert (added.email, added.area, added.categories) == ("meldungen@haan.example", None, [])


def test_adds_a_body_with_area_and_categories(admin):
    response = add(admin, feature_collection(SQUARE), categories=["licht", "muell"])
    assert response.status_code == 302
    added = body()
    assert [c.code for c in added.categories] == ["licht", "muell"]
    area = db.session.execute(
        text("SELECT GeometryType(area), ST_SRID(area) FROM bodies WHERE id = :id"),
        {"id": added.id},
    ).one()
    assert tuple(area) == ("MULTIPOLYGON", 4326)
    row = (
        page_text(admin.get("/admin/stellen"))
        .split('<th scope="row">Stadt Haan', 1)[1]
        .split("</tr>")[0]
    )
    assert "Straßenbeleuchtung defekt, Wilde Müllkippe" in row and "<td>ja</td>" in row


def test_adds_an_open311_body_against_a_real_peer(admin, login_as):
    create_api_key("Haan-App", can_update=True)
    db.session.commit()
    with open311_peer() as peer:
        url = peer.url + "/"
        response = add(admin, open311_url=url, api_key=PEER_KEY, partner_key="Haan-App")
    assert response.status_code == 302, page_text(response)[:3000]
    assert ("GET", "/open311/v2/services.json") in peer.calls
    added = body()
    assert added.transport == "open311" and added.open311_url == peer.url
    assert added.service_codes["licht"] == "licht"
    assert added.service_codes["muell"] == "S-17"  # found by its name
    assert added.partner_key.name == "Haan-App"
    page = page_text(admin.get("/admin/stellen"))
    assert peer.url in page and "Open311" in page
    assert PEER_KEY not in page


def test_a_refused_key_is_named_and_never_shown(admin):
    with open311_peer() as peer:
        page = refused(add(admin, open311_url=peer.url, api_key="falsch-123"), "abgelehnt")
    assert "falsch-123" not in page
    assert count(Body) == 0


def test_an_unreachable_peer_is_refused_and_nothing_stored(admin):
    url = f"http://127.0.0.1:{free_port()}/open311/v2"  # nothing listens there
    page = refused(add(admin, open311_url=url, api_key=PEER_KEY), "Nicht erreichbar", url)
    assert PEER_KEY not in page
    assert count(Body) == 0


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"email": "keine-adresse"}, 'id="email-error"'),
        ({"email": "a@b.example\r\nBcc: x@y.example"}, 'id="email-error"'),
        ({"email": "keine-adresse", **OPEN311}, "Bitte eine gültige E-Mail-Adresse eingeben."),
        ({"email": ""}, "Bitte eine E-Mail-Adresse oder eine Open311-Adresse angeben."),
        ({"name": ""}, "Bitte einen Namen mit höchstens 200 Zeichen angeben."),
        ({"name": "H" * 201}, "Bitte einen Namen mit höchstens 200 Zeichen angeben."),
        ({"name": "Haan\x1b[2J"}, "Bitte einen Namen"),
        ({"open311_url": "ftp://haan.example/open311"}, "Open311-Adresse mit http(s)://"),
        ({"open311_url": "https://haan.example/v2"}, "API-Schlüssel der anderen Stelle"),
        ({"open311_url": "https://haan.example/v2", "api_key": "a b"}, "keine Leerzeichen"),
        ({"jurisdiction": "haan de"}, "Kennung ohne Leerzeichen"),
        ({"jurisdiction": "j" * 101}, "Höchstens 100 Zeichen."),
        ({"categories": ["gibt-es-nicht"]}, "Bitte nur aktive Kategorien aus der Liste"),
        ({"partner_key": "Fremder Schlüssel"}, "Bitte einen aktiven Schlüssel aus der Liste"),
    ],
    ids=[
        "bad-email",
        "header-injection",
        "bad-email-with-open311",
        "no-transport",
        "no-name",
        "long-name",
        "control-characters",
        "ftp-url",
        "open311-without-key",
        "key-with-space",
        "jurisdiction-with-space",
        "long-jurisdiction",
        "unknown-category",
        "unknown-partner-key",
    ],
)
def test_bad_fields_are_refused_and_nothing_stored(admin, fields, message):
    page = refused(add(admin, **fields), message)
    assert "<script" not in page.split("<main", 1)[1]
    assert count(Body) == 0


def test_a_bad_email_alone_is_named_as_such(admin):
    refused(add(admin, email="keine-adresse"), "Bitte eine gültige E-Mail-Adresse eingeben.")


def test_every_problem_is_named_at_once(admin):
    refused(
        add(admin, name="", email="x", jurisdiction="a b", **OPEN311),
        "Bitte einen Namen",
        "gültige E-Mail-Adresse",
        "Kennung ohne Leerzeichen",
    )


def test_an_inactive_category_is_not_offered(admin):
    db.session.scalar(select(Category).where(Category.code == "ampel")).active = False
    db.session.commit()
    assert 'value="ampel"' not in page_text(admin.get("/admin/stellen"))
    refused(add(admin, categories=["ampel"]), "Bitte nur aktive Kategorien")
    assert count(Body) == 0


def test_a_duplicate_name_is_refused(admin):
    assert add(admin).status_code == 302
    refused(add(admin, name="stadt haan"), "Eine Stelle „stadt haan“ gibt es schon.")
    assert count(Body) == 1


@pytest.mark.parametrize(
    ("area", "message"),
    [
        (b'{"type": "FeatureCollection", "features": [', "kein gültiges GeoJSON"),
        (b"\xff\xfe\x00garbage", "kein gültiges GeoJSON"),
        (b"[" * 100_000, "kein gültiges GeoJSON"),
        (b"   ", "Die Datei ist leer"),
        (b"[1, 2]", "Das Gebiet muss GeoJSON sein"),
        (feature_collection(POINT), "Geometrietyp Point"),
        (feature_collection(SQUARE, POINT), "Geometrietyp Point"),
        (b'{"type": "FeatureCollection", "features": []}', "enthält kein Polygon"),
        (b'{"type": "FeatureCollection", "features": {}}', "„features“ ist keine Liste"),
        (feature_collection(PROJECTED), "außerhalb von WGS84"),
    ],
    ids=[
        "truncated",
        "not-utf8",
        "nested-arrays",
        "empty",
        "not-an-object",
        "point",
        "polygon-and-point",
        "no-features",
        "features-not-a-list",
        "projected",
    ],
)
def test_bad_areas_are_refused_and_nothing_stored(admin, area, message):
    page = refused(add(admin, area), message)
    assert "<script" not in page.split("<main", 1)[1]
    assert count(Body) == 0


def test_an_oversized_area_is_refused(admin, app, monkeypatch):
    raw = feature_collection(SQUARE)
    monkeypatch.setitem(app.config, "DISTRICT_FILE_MAX_BYTES", len(raw) - 1)
    refused(add(admin, raw), "größer als")
    assert count(Body) == 0


def test_removal_asks_first_then_removes(admin, make_report):
    assert add(admin).status_code == 302
    added = body()
    report = make_report()
    report.body = added
    db.session.add(ExchangeJob(report_id=report.id, body=added))
    db.session.commit()
    url = f"/admin/stellen/{added.id}/entfernen"
    page = page_text(admin.get(url))
    assert "1 Weiterleitungsaufträge" in page and "1 offene Meldungen" in page
    refused(admin.post(url, data={}), "Bitte bestätigen Sie das Entfernen.")
    assert body() is not None
    response = admin.post(url, data={"confirm": "y"})
    assert response.status_code == 302
    assert "Stelle „Stadt Haan“ entfernt." in page_text(admin.get(response.headers["Location"]))
    assert body() is None and count(ExchangeJob) == 0
    db.session.refresh(report)
    assert report.body_id is None  # back in our queues


@pytest.mark.parametrize("body_id", ["999999", "99999999999"])
def test_removing_an_unknown_body_is_not_found(admin, body_id):
    assert admin.get(f"/admin/stellen/{body_id}/entfernen").status_code == 404
    assert (
        admin.post(f"/admin/stellen/{body_id}/entfernen", data={"confirm": "y"}).status_code == 404
    )


@pytest.mark.parametrize("who", ["dispatcher", "crew_light"])
def test_only_admins_see_and_change_bodies(client, staff, login_as, who):
    db.session.add(Body(name="Stadt Haan", email="meldungen@haan.example"))
    db.session.commit()
    body_id = body().id
    login_as(who)
    assert client.get("/admin/stellen").status_code == 403
    assert client.get(f"/admin/stellen/{body_id}/entfernen").status_code == 403
    assert add(client, name="Stadt Hilden").status_code == 403
    response = client.post(f"/admin/stellen/{body_id}/entfernen", data={"confirm": "y"})
    assert response.status_code == 403
    assert count(Body) == 1 and body() is not None


def test_a_stored_key_is_on_no_admin_page(admin):
    db.session.add(
        Body(name="Stadt Hilden", open311_url="https://hilden.example/v2", open311_key=PEER_KEY)
    )
    db.session.commit()
    body_id = body("Stadt Hilden").id
    for url in ("/admin/stellen", f"/admin/stellen/{body_id}/entfernen", "/admin/"):
        assert PEER_KEY not in page_text(admin.get(url)), url
    assert PEER_KEY not in refused(add(admin, name="Stadt Hilden"), "gibt es schon")


def test_changes_need_csrf(admin, app, monkeypatch):
    db.session.add(Body(name="Stadt Hilden", email="meldungen@hilden.example"))
    db.session.commit()
    body_id = body("Stadt Hilden").id
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert add(admin).status_code == 400
    response = admin.post(f"/admin/stellen/{body_id}/entfernen", data={"confirm": "y"})
    assert response.status_code == 400 and "Sicherheitsmerkmal" in page_text(response)
    assert count(Body) == 1
