"""Text answers travel compressed when the client takes it (Brotli first, then gzip), streamed
exports stay streamed, and a client that takes neither gets the plain bytes."""

from __future__ import annotations

import gzip
import json

import brotli
import pytest

BR = {"Accept-Encoding": "gzip, deflate, br"}
GZIP = {"Accept-Encoding": "gzip"}


@pytest.fixture
def reports(app):
    result = app.test_cli_runner().invoke(args=["demo", "generate", "--count", "300"])
    assert result.exit_code == 0, result.output


def test_open311_requests_shrink_and_read_the_same(client, reports):
    plain = client.get("/open311/v2/requests.json")
    packed = client.get("/open311/v2/requests.json", headers=BR)
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "br"
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert int(packed.headers["Content-Length"]) == len(packed.data)
    assert len(packed.data) * 5 < len(plain.data)
    assert json.loads(brotli.decompress(packed.data)) == json.loads(plain.data)


def test_gzip_when_brotli_is_not_taken(client, reports):
    for header in ("gzip", "br;q=0, gzip", "gzip;q=0.5, identity"):
        response = client.get("/meldungen", headers={"Accept-Encoding": header})
        assert response.headers["Content-Encoding"] == "gzip", header
        assert "<h1" in gzip.decompress(response.data).decode()


def test_nothing_compressed_for_a_client_that_takes_nothing(client, reports):
    for header in ("identity", "gzip;q=0, br;q=0", "compress"):
        response = client.get("/meldungen", headers={"Accept-Encoding": header})
        assert "Content-Encoding" not in response.headers, header
        assert "<h1" in response.get_data(as_text=True)


def test_a_streamed_export_is_compressed_as_it_streams(client, reports):
    plain = client.get("/export/meldungen.csv")
    packed = client.get("/export/meldungen.csv", headers=GZIP)
    assert packed.is_streamed and packed.headers["Content-Encoding"] == "gzip"
    assert "Content-Length" not in packed.headers
    assert gzip.decompress(packed.data) == plain.data
    assert plain.data.count(b"\n") > 300


def test_geojson_export_in_brotli(client, reports):
    packed = client.get("/export/meldungen.geojson", headers=BR)
    assert packed.headers["Content-Encoding"] == "br"
    assert len(json.loads(brotli.decompress(packed.data))["features"]) > 0


def test_small_answers_errors_and_head_stay_plain(client):
    small = client.get("/api/v1/nearby?lat=51.17&lon=7.08", headers=BR)
    assert "Content-Encoding" not in small.headers and "Accept-Encoding" in small.headers["Vary"]
    missing = client.get("/meldungen/SG-0000-0000", headers=BR)
    assert missing.status_code == 404 and "Content-Encoding" not in missing.headers
    head = client.head("/meldungen", headers=BR)
    assert "Content-Encoding" not in head.headers


def test_photos_are_not_compressed_again(client, make_report):
    from tests.factories import jpeg

    report = make_report(photos=[jpeg()], published=True)
    name = report.photos[0].filename
    response = client.get(f"/fotos/{name}", headers=BR)
    assert response.status_code == 200 and "Content-Encoding" not in response.headers


def test_a_static_script_is_compressed_and_revalidates(client):
    url = "/static/js/map.js"
    plain = client.get(url)
    packed = client.get(url, headers=BR)
    assert brotli.decompress(packed.data) == plain.data
    etag = packed.headers["ETag"]
    assert etag.startswith('W/"')
    again = client.get(url, headers={**BR, "If-None-Match": etag})
    assert again.status_code == 304
