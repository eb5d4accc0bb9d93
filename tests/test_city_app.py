"""Solingen's city app files defects here unchanged: both platforms' requests replayed byte for
byte as docs/city-app-protocol.md describes them, and what each app parses from the answers."""

from __future__ import annotations

import base64
import io
import json
import os
import re
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import select, update

from app import create_app
from app.extensions import db
from app.models import Category, OutboxMail, Report
from app.notifications import deferred
from tests.factories import MITTE, WUPPERTAL, jpeg
from tests.fixtures.reports import public_urls
from tests.helpers import counts, form_data, post_report

APP_ID, CLIENT_KEY = "solingen-app-test", "client-key-test"
PARSE_DATE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
NAME, EMAIL = "Erika Mustermann-App", "erika.app@example.org"
ANDROID = {
    "X-Parse-Application-Id": APP_ID,
    "X-Parse-Client-Key": CLIENT_KEY,
    "X-Parse-Session-Token": "",
    "User-Agent": "okhttp/4.12.0",
}
IOS = {"X-PARSE-APPLICATION-ID": APP_ID, "X-PARSE-CLIENT-KEY": CLIENT_KEY}


def gson(body: dict) -> bytes:
    """JSON as Android's Gson writes it: compact, with = < > & ' as \\u escapes."""
    text = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
    for char in "=<>&'":
        text = text.replace(char, f"\\u{ord(char):04x}")
    return text.encode()


def ios_json(body: dict) -> bytes:
    """JSON as iOS's JSONEncoder writes it: another key order, and / escaped as \\/."""
    text = json.dumps(dict(reversed(list(body.items()))), ensure_ascii=False)
    return text.replace("/", "\\/").encode()


def contact_id(code: str = "licht") -> str:
    return db.session.scalar(select(Category.app_id).where(Category.code == code))


def android_body(**overrides: object) -> dict:
    photos = [base64.encodebytes(jpeg(gps=MITTE)).decode(), "", "", ""]  # 76-column lines
    body = {
        "name": NAME,
        "address": "Walter-Scheel-Platz 1, 42651 Solingen, Deutschland",
        "postalCode": "42651",
        "city": "Solingen",
        "phone": "0",
        "email": EMAIL,
        "message": "Die Laterne vor dem Rathaus ist dunkel & flackert <nachts>.",
        "contactId": contact_id(),
        "geopoint": {"__type": "GeoPoint", "latitude": MITTE[0], "longitude": MITTE[1]},
        "images": photos,
    }
    return body | overrides


def ios_body(photos: int = 0, **overrides: object) -> dict:
    body = {
        "name": NAME,
        "email": EMAIL,
        "address": "Walter-Scheel-Platz 1",
        "postalCode": "42651",
        "city": "Solingen",
        "message": "Schlagloch an der Haltestelle, ca. 30 cm/10 cm tief",
        "contactId": contact_id("strasse"),
        "geopoint": {"__type": "GeoPoint", "latitude": MITTE[0], "longitude": MITTE[1]},
    }
    if photos:
        body["images"] = [base64.b64encode(jpeg(gps=MITTE)).decode() for _ in range(photos)]
    return body | overrides


def post_android(client, body: dict, path: str = "/parse/classes/DefectFormData", **kwargs):
    headers = ANDROID | {"Content-Type": "application/json; charset=UTF-8"}
    return client.post(path, data=gson(body), headers=headers | kwargs.pop("headers", {}))


def post_ios(client, body: dict):
    headers = IOS | {"Content-Type": "Application/json"}
    return client.post("/parse/classes/DefectFormData", data=ios_json(body), headers=headers)


def only_report() -> Report:
    return db.session.scalars(select(Report).where(Report.channel == "app")).one()


def assert_parse_error(response, status: int, code: int) -> str:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"code", "error"} and body["code"] == code
    assert isinstance(body["error"], str) and body["error"]
    return body["error"]


# --- the category list ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/parse/classes/DefectFormContact", ANDROID | {"Content-Type": "application/json"}),
        ("/parse/classes/DefectFormContact?limit=1000", IOS),
        ("/parse//classes/DefectFormContact", IOS),  # an iOS root with a trailing slash
    ],
    ids=["android", "ios", "double-slash"],
)
def test_both_apps_read_every_active_category(client, path, headers):
    response = client.get(path, headers=headers)
    assert response.status_code == 200
    results = response.get_json()["results"]
    active = db.session.scalars(select(Category).where(Category.active)).all()
    assert {c["objectId"] for c in results} == {c.app_id for c in active}
    for contact in results:
        for key in ("objectId", "title", "email", "emailSubject", "createdAt", "updatedAt"):
            assert isinstance(contact[key], str), key  # Android's fields are never null
        assert PARSE_DATE.match(contact["createdAt"]) and PARSE_DATE.match(contact["updatedAt"])
    assert [c["position"] for c in results] == list(range(1, len(results) + 1))
    assert all(type(c["position"]) is int for c in results)


def test_a_category_keeps_its_app_id_when_renamed_and_a_retired_one_leaves_the_list(client):
    before = {c["title"]: c["objectId"] for c in contacts(client)}
    light = db.session.scalar(select(Category).where(Category.code == "licht"))
    old_title, light.name_de = light.name_de, "Straßenbeleuchtung"
    rubbish = db.session.scalar(select(Category).where(Category.code == "muell"))
    rubbish.active = False
    db.session.flush()
    after = {c["title"]: c["objectId"] for c in contacts(client)}
    assert after["Straßenbeleuchtung"] == before[old_title]
    assert rubbish.app_id not in after.values()


def contacts(client) -> list[dict]:
    return client.get("/parse/classes/DefectFormContact", headers=IOS).get_json()["results"]


# --- filing ----------------------------------------------------------------------------------


def test_android_files_a_routed_report_with_its_photo_and_gets_a_case_number(client, uploads):
    response = post_android(client, android_body())
    assert response.status_code == 201
    answer = response.get_json()
    report = only_report()
    assert isinstance(answer["objectId"], str) and answer["objectId"] == report.case_number
    assert PARSE_DATE.match(answer["createdAt"])
    assert (report.channel, report.category.code) == ("app", "licht")
    assert report.description.endswith("& flackert <nachts>.")
    # Routed exactly like the web form's report of the same place and category.
    assert post_report(client, form_data(submission_key=None)).status_code == 302
    web = db.session.scalars(select(Report).where(Report.channel == "web")).one()
    assert (report.district_id, report.department_id) == (web.district_id, web.department_id)
    assert (report.reporter_name, report.reporter_email, report.reporter_phone) == (
        NAME,
        EMAIL,
        None,
    )
    assert report.place_text == "Walter-Scheel-Platz 1, 42651 Solingen, Deutschland"
    [photo] = report.photos
    with Image.open(uploads / photo.filename) as stored:
        assert not stored.getexif() and "exif" not in stored.info


def test_ios_files_without_photos_and_with_escaped_slashes(client):
    response = post_ios(client, ios_body())
    assert response.status_code == 201
    assert PARSE_DATE.match(response.get_json()["createdAt"])
    report = only_report()
    assert report.description == "Schlagloch an der Haltestelle, ca. 30 cm/10 cm tief"
    assert report.place_text == "Walter-Scheel-Platz 1, 42651 Solingen"
    assert (report.category.code, report.photos) == ("strasse", [])


@pytest.mark.parametrize("photos", [1, 4])
def test_ios_photos_without_line_breaks_are_stored(client, photos):
    assert post_ios(client, ios_body(photos=photos)).status_code == 201
    assert len(only_report().photos) == photos


def test_the_receipt_with_the_tracking_link_waits_in_the_outbox(client):
    assert post_android(client, android_body()).status_code == 201
    mail = db.session.scalar(select(OutboxMail).where(OutboxMail.kind == "receipt"))
    assert mail is not None and mail.recipient == EMAIL
    deferred.render(mail)  # what the worker sends
    assert only_report().case_number in mail.subject


def test_sending_again_after_a_timeout_files_nothing_new(client):
    first = post_android(client, android_body()).get_json()
    again = post_android(client, android_body())
    assert again.status_code == 200 and again.get_json()["objectId"] == first["objectId"]
    assert counts()[0] == 1
    other = post_android(client, android_body(message="Eine andere Laterne ist auch dunkel."))
    assert other.status_code == 201 and other.get_json()["objectId"] != first["objectId"]
    neighbour = post_android(client, android_body(email="nachbar@example.org"))
    assert neighbour.status_code == 201 and counts()[0] == 3


def test_the_same_report_after_two_minutes_is_a_new_one(client):
    first = post_ios(client, ios_body()).get_json()
    db.session.execute(update(Report).values(created_at=Report.created_at - timedelta(minutes=3)))
    later = post_ios(client, ios_body())
    assert later.status_code == 201 and later.get_json()["objectId"] != first["objectId"]


def test_mail_links_point_to_the_site_not_to_the_apps_parse_host(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://maengel.solingen.example")
    response = post_android(client, android_body(), headers={"Host": "parse.solingen.example"})
    assert response.status_code == 201
    mail = db.session.scalar(select(OutboxMail).where(OutboxMail.kind == "receipt"))
    deferred.render(mail)  # later, in the worker: the links were made in the request
    assert "https://maengel.solingen.example/verfolgen/" in mail.body_text
    assert "parse.solingen.example" not in mail.body_text


def test_the_app_needs_no_csrf_token(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert post_android(client, android_body()).status_code == 201


def test_a_post_with_a_double_slash_files_too(client):
    response = post_android(client, android_body(), path="/parse//classes//DefectFormData")
    assert response.status_code == 201 and counts()[0] == 1


def test_the_app_may_not_take_over_the_whole_site():
    with pytest.raises(ValueError, match="CITY_APP_PATH"):
        create_app({"CITY_APP_PATH": "/"})


def test_the_reporter_of_an_app_report_is_in_no_public_output(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLISHING", "immediate")
    assert post_android(client, android_body()).status_code == 201
    for url in public_urls([only_report()]):
        text = client.get(url).get_data(as_text=True)
        for secret in (NAME, EMAIL, "Walter-Scheel-Platz"):
            assert secret not in text, (url, secret)


def test_the_privacy_text_is_the_one_of_our_privacy_page(client):
    response = client.get("/parse/config", headers=ANDROID)
    text = response.get_json()["params"]["privacyText"]
    assert isinstance(text, str) and "<h2>" in text and "Was wir speichern" in text


def test_a_photo_uploaded_on_its_own_is_stored_without_metadata(client, uploads):
    response = client.post(
        "/parse/files/Defect-1B2C.jpeg",
        data=jpeg(gps=MITTE),
        headers=IOS | {"Content-Type": "image/jpeg"},
    )
    assert response.status_code == 201
    name = response.get_json()["name"]
    with Image.open(uploads / name) as stored:
        assert not stored.getexif()
    assert response.get_json()["url"].endswith(f"/parse/files/{name}")


# --- refused ---------------------------------------------------------------------------------

NOT_JPEG = base64.b64encode(b"%PDF-1.4 kein Foto").decode()
BAD = {
    "broken base64": (android_body, {"images": ["@@@nicht base64@@@", "", "", ""]}),
    "not an image": (android_body, {"images": [NOT_JPEG, "", "", ""]}),
    "no place (0/0)": (
        android_body,
        {"geopoint": {"__type": "GeoPoint", "latitude": 0, "longitude": 0}},
    ),
    "outside the city": (
        android_body,
        {"geopoint": {"__type": "GeoPoint", "latitude": WUPPERTAL[0], "longitude": WUPPERTAL[1]}},
    ),
    "unknown contact": (android_body, {"contactId": "XXXXXXXXXX"}),
    "no message": (ios_body, {"message": None}),
    "control characters": (ios_body, {"message": "kaputt\u001b[31m"}),
    "name as a number": (ios_body, {"name": 4711}),
    "latitude of 400 digits": (
        ios_body,
        {"geopoint": {"__type": "GeoPoint", "latitude": 10**400, "longitude": 7}},
    ),
    "latitude as NaN": (
        ios_body,
        {"geopoint": {"__type": "GeoPoint", "latitude": float("nan"), "longitude": 7}},
    ),
    "six photos": (ios_body, {"images": [base64.b64encode(jpeg()).decode()] * 6}),
}


@pytest.mark.parametrize(("body", "overrides"), BAD.values(), ids=BAD.keys())
def test_bad_reports_get_a_parse_error_and_store_nothing(client, uploads, body, overrides):
    response = post_android(client, body() | overrides)
    assert_parse_error(response, 400, 142)
    assert counts() == (0, 0, 0)
    assert list(uploads.iterdir()) == []


def test_a_place_outside_the_city_is_told_in_german(client):
    far = {"__type": "GeoPoint", "latitude": WUPPERTAL[0], "longitude": WUPPERTAL[1]}
    message = assert_parse_error(post_ios(client, ios_body(geopoint=far)), 400, 142)
    assert "außerhalb des Stadtgebiets" in message


@pytest.mark.parametrize(
    "raw",
    [
        b"{kein json",
        b"[1, 2]",
        "\u00e4".encode("latin-1"),
        b"[" * 100_000,  # nested deeper than the parser goes
        b'{"a":[' + b"{}," * 100_000 + b"{}]}",  # memory, not a report
        b'{"message":"\\ud800 kaputt"}',  # a lone surrogate: no text PostgreSQL stores
    ],
    ids=["broken", "array", "latin-1", "deep", "wide", "surrogate"],
)
def test_what_is_not_a_json_object_is_refused(client, raw):
    response = client.post("/parse/classes/DefectFormData", data=raw, headers=IOS)
    assert_parse_error(response, 400, 107)
    assert counts() == (0, 0, 0)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Parse-Application-Id": APP_ID},
        {"X-Parse-Application-Id": APP_ID, "X-Parse-Client-Key": "falsch"},
        {"X-Parse-Application-Id": "fremde-app", "X-Parse-Client-Key": CLIENT_KEY},
    ],
    ids=["none", "no-client-key", "wrong-client-key", "wrong-app"],
)
def test_a_wrong_key_is_forbidden(client, headers):
    response = client.post(
        "/parse/classes/DefectFormData", data=gson(android_body()), headers=headers
    )
    assert_parse_error(response, 403, 119)
    assert_parse_error(client.get("/parse/classes/DefectFormContact", headers=headers), 403, 119)
    assert counts() == (0, 0, 0)


def test_without_configured_keys_the_app_door_is_closed(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "CITY_APP_CLIENT_KEY", "")
    assert_parse_error(client.get("/parse/classes/DefectFormContact", headers=IOS), 404, 101)
    assert_parse_error(post_android(client, android_body()), 404, 101)
    assert counts() == (0, 0, 0)


def test_a_body_over_the_limit_is_413_and_the_site_keeps_its_own(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "CITY_APP_MAX_BODY", 200_000)
    big = android_body(images=[base64.encodebytes(os.urandom(300_000)).decode(), "", "", ""])
    assert len(gson(big)) > 200_000
    assert_parse_error(post_android(client, big), 413, 130)
    assert counts() == (0, 0, 0)
    assert post_android(client, android_body()).status_code == 201  # under the limit


def test_the_app_is_rate_limited_per_address_like_the_form(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_REPORTS", "2 per minute")
    address = {"REMOTE_ADDR": "203.0.113.77"}
    for number in range(2):
        body = ios_body(message=f"Meldung Nummer {number} aus der App")
        response = client.post(
            "/parse/classes/DefectFormData",
            data=ios_json(body),
            headers=IOS,
            environ_base=address,
        )
        assert response.status_code == 201
    third = client.post(
        "/parse/classes/DefectFormData",
        data=ios_json(ios_body(message="Die dritte Meldung")),
        headers=IOS,
        environ_base=address,
    )
    assert_parse_error(third, 429, 155)
    assert counts()[0] == 2


def test_unknown_classes_are_a_parse_404(client):
    assert_parse_error(client.get("/parse/classes/Events", headers=IOS), 404, 101)


def test_admins_see_each_categorys_app_id(login_as):
    admin = login_as("admin")
    page = admin.get("/admin/kategorien").get_data(as_text=True)
    assert contact_id() in page and "ID in der Stadt-App" in page


def test_an_image_slot_may_be_read_back_as_a_jpeg(client, uploads):
    # Android's slots: JPEG quality 80 in 76-column base64; the stored file opens as a JPEG.
    image = io.BytesIO()
    Image.new("RGB", (800, 600), (10, 120, 200)).save(image, "JPEG", quality=80)
    slot = base64.encodebytes(image.getvalue()).decode()
    assert "\n" in slot
    assert post_android(client, android_body(images=["", slot, "", ""])).status_code == 201
    with Image.open(uploads / only_report().photos[0].filename) as stored:
        assert stored.format == "JPEG"
