"""Privacy: what reporters tell the city about themselves never leaves through Open311, in any
format, with or without extensions, however the report came in."""

from __future__ import annotations

import io

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.models import Report
from tests.factories import jpeg
from tests.fixtures.open311 import BASE, new_key
from tests.helpers import form_data, post_report, with_photos

SECRETS = {
    "first_name": "Zacharias",
    "last_name": "Quendelbrot",
    "email": "zq-7781@example.org",
    "phone": "0212 998877",
    "device_id": "geraet-XJ9-4431",
    "account_id": "konto-QQ-5512",
}
# Parts that must not appear either, however a value might be reformatted.
FRAGMENTS = ["Zacharias", "Quendelbrot", "zq-7781", "998877", "XJ9-4431", "QQ-5512"]


def _file_through_the_api(client: FlaskClient, api_key: str) -> list[str]:
    """Two reports, one with photos; returns the raw POST answers."""
    answers = []
    for fmt in ("json", "xml"):
        data = {
            "api_key": api_key,
            "service_code": "licht",
            "lat": "51.1705",
            "long": "7.0845",
            "description": "Laterne dunkel",
            "media_url": "https://example.org/bild.jpg",
            "media": [(io.BytesIO(jpeg()), "foto.jpg")],
            **SECRETS,
        }
        response = client.post(
            f"{BASE}/requests.{fmt}", data=data, content_type="multipart/form-data"
        )
        assert response.status_code == 200, response.get_data(as_text=True)
        answers.append(response.get_data(as_text=True))
    return answers


def _file_through_the_form(client: FlaskClient) -> None:
    data = form_data(name="Zacharias Quendelbrot", email=SECRETS["email"], phone=SECRETS["phone"])
    data["consent"] = "y"
    assert post_report(client, with_photos(data, jpeg())).status_code == 302


def _open311_paths(case_numbers: list[str]) -> list[str]:
    paths = ["discovery", "services", "services/licht", "requests"]
    for number in case_numbers:
        paths += [f"requests/{number}", f"tokens/{number}"]
    return paths


@pytest.mark.parametrize("publishing", ["immediate", "moderated"])
def test_no_personal_data_in_any_open311_answer(client, app, uploads, monkeypatch, publishing):
    monkeypatch.setitem(app.config, "PUBLISHING", publishing)
    answers = _file_through_the_api(client, new_key())
    _file_through_the_form(client)
    numbers = list(db.session.scalars(select(Report.case_number)))
    assert len(numbers) == 3
    id_list = ",".join(numbers)
    for path in _open311_paths(numbers):
        for fmt in ("json", "xml"):
            for query in ("", "?extensions=true", f"?service_request_id={id_list}&extensions=true"):
                response = client.get(f"{BASE}/{path}.{fmt}{query}")
                assert response.status_code == 200, (path, response.get_data(as_text=True))
                answers.append(response.get_data(as_text=True))
    # The answers did carry the reports (and, published, their text):
    assert all(number in "".join(answers) for number in numbers)
    assert ("Laterne dunkel" in "".join(answers)) == (publishing == "immediate")
    for answer in answers:
        for fragment in FRAGMENTS:
            assert fragment not in answer
