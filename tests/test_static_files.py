"""Static files carry their content's hash in the address: kept a year by the browser, and a new
version gets a new address, so a deploy never leaves phones with old scripts."""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

from flask import url_for


def test_pages_link_versioned_files_that_may_be_kept_a_year(client):
    page = client.get("/melden").get_data(as_text=True)
    links = re.findall(r'/static/[^"?]+\?v=[0-9a-f]{12}', page)
    assert any("css/app.css" in link for link in links)
    assert any("js/photos.js" in link for link in links)
    assert any("icons/categories.svg" in link for link in links)
    answer = client.get(links[0])
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_an_unversioned_address_is_revalidated(client):
    answer = client.get("/static/css/app.css")
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-cache"
    assert answer.headers.get("ETag")


def test_a_changed_file_gets_a_new_address(app):
    path = Path(app.static_folder, f"test-{uuid.uuid4().hex}.txt")
    try:
        path.write_text("eins")
        with app.test_request_context():
            first = url_for("static", filename=path.name)
        path.write_text("zwei")
        os.utime(path, (1, 1))  # another modification time, as a deploy would leave
        with app.test_request_context():
            second = url_for("static", filename=path.name)
        assert first != second and "?v=" in first and "?v=" in second
    finally:
        path.unlink()


def test_a_missing_file_is_404_without_a_version(client, app):
    with app.test_request_context():
        assert "?v=" not in url_for("static", filename="gibt-es-nicht.js")
    assert client.get("/static/gibt-es-nicht.js?v=123").status_code == 404


def test_an_unknown_version_is_not_kept_for_a_year(client):
    answer = client.get("/static/css/app.css?v=000000000000")
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-cache"
