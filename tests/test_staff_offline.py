"""The staff app's manifest and service worker as the server gives them, and the headers the
worker relies on: whose page a response is, and the logout that clears the browser's copies."""

from __future__ import annotations

import json
import re

from tests.fixtures.reports import current
from tests.fixtures.staff import ACCOUNTS


def test_the_manifest_installs_the_staff_area_in_german(client):
    response = client.get("/manifest-staff.webmanifest")
    assert response.status_code == 200
    assert response.mimetype == "application/manifest+json"
    manifest = json.loads(response.get_data(as_text=True))
    assert manifest["start_url"] == manifest["scope"] == "/staff/"
    assert manifest["display"] == "standalone"
    assert manifest["lang"] == "de"
    assert "Beschäftigte" in manifest["name"]
    for icon in manifest["icons"]:
        image = client.get(icon["src"])
        assert image.status_code == 200
        assert image.mimetype == "image/png"
    assert {i["purpose"] for i in manifest["icons"]} == {"any", "maskable"}


def test_the_worker_is_public_versioned_and_scoped_to_staff(client):
    response = client.get("/sw-staff.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    body = response.get_data(as_text=True)
    assert re.search(r'importScripts\("/static/js/offline-queue\.js\?v=[0-9a-f]{12}"\)', body)
    assert "{{" not in body


def test_csp_allows_the_worker_and_the_manifest(client):
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "worker-src 'self'" in policy
    assert "manifest-src 'self'" in policy


def test_staff_pages_name_their_person_and_public_pages_do_not(client, case, login_as, staff):
    login_as("crew_light")
    page = client.get(f"/staff/meldungen/{case}")
    assert page.headers["X-Staff-User"] == str(staff["crew_light"].id)
    html = page.get_data(as_text=True)
    assert 'rel="manifest"' in html
    assert '<meta name="offline-copy" content="">' in html
    for public in ("/", f"/meldungen/{case}", "/melden"):
        answer = client.get(public)
        assert "X-Staff-User" not in answer.headers
        assert 'rel="manifest"' not in answer.get_data(as_text=True)


def test_every_action_form_carries_its_own_request_key(client, make_report, login_as):
    # With the reporter's e-mail: the page also holds the Rückfrage form.
    case = make_report(reporter_email="melderin@example.org").case_number
    login_as("dispatcher")
    html = client.get(f"/staff/meldungen/{case}").get_data(as_text=True)
    assert 'action="/staff/meldungen/' + case + '/rueckfrage"' in html
    # Every form that posts an action (the dispatcher's triage among them).
    forms = len(re.findall(r'<form method="post" action="/staff/meldungen/', html))
    found = re.findall(r'name="request_key" value="([0-9a-f-]{36})"', html)
    assert forms >= 2
    assert len(found) == forms == len(set(found))
    again = client.get(f"/staff/meldungen/{case}").get_data(as_text=True)
    assert not set(found) & set(re.findall(r'name="request_key" value="([0-9a-f-]{36})"', again))


def test_logout_tells_the_browser_to_clear_its_copies(client, login_as):
    login_as("crew_light")
    response = client.post("/abmelden")
    assert response.status_code == 302
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'
    assert "X-Staff-User" not in client.get("/staff/warteschlange").headers


def test_a_login_page_names_no_person(client, staff):
    response = client.get("/anmelden")
    assert "X-Staff-User" not in response.headers
    assert ACCOUNTS["crew_light"].email not in response.get_data(as_text=True)


def test_a_background_copy_leaves_the_message_for_the_page(client, case, login_as):
    login_as("crew_light")
    version = str(current(case).version)
    client.post(
        f"/staff/meldungen/{case}/status",
        data={"version": version, "note": "x", "status": "received", "visibility": "internal"},
    )
    copy = client.get(f"/staff/meldungen/{case}", headers={"X-Staff-Copy": "1"})
    assert "Gespeichert" not in copy.get_data(as_text=True)
    assert "Gespeichert" in client.get(f"/staff/meldungen/{case}").get_data(as_text=True)
