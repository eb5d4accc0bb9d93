"""`flask bodies add|list|remove` and `flask exchange forward`, and the e-mail transport: the
body gets the public data and photo links; contact data only with the reporter's consent."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from app.extensions import db
from app.models import Body, ExchangeJob, OutboxMail
from tests.exchange_support import IN_B, area_geojson
from tests.factories import jpeg


def _add(app, *args: str):
    return app.test_cli_runner().invoke(args=["bodies", "add", *args])


def test_add_list_remove(app, tmp_path: Path):
    area = tmp_path / "haan.geojson"
    area.write_text(area_geojson())
    added = _add(app, "Stadt Haan", "--email", "post@haan.example", "--area", str(area))
    assert added.exit_code == 0, added.output
    assert "E-Mail" in added.output
    listed = app.test_cli_runner().invoke(args=["bodies", "list"])
    assert "Stadt Haan" in listed.output and "mit Gebiet" in listed.output
    removed = app.test_cli_runner().invoke(args=["bodies", "remove", "stadt haan"])
    assert removed.exit_code == 0 and db.session.scalars(select(Body)).all() == []


def test_add_refuses_bad_input_with_the_option_named(app, tmp_path: Path):
    bad = tmp_path / "bad.geojson"
    bad.write_text('{"type": "Point", "coordinates": [7, 51]}')
    cases = [
        (("X",), "E-Mail-Adresse oder eine Open311-Adresse"),
        (("X", "--email", "kein-at"), "--email"),
        (("X", "--email", "a@b.example", "--area", str(bad)), "--area"),
        (("X", "--email", "a@b.example", "--category", "gibtsnicht"), "gibtsnicht"),
        (("X", "--open311-url", "ftp://x", "--api-key", "k"), "--open311-url"),
        (
            ("X", "--open311-url", "http://127.0.0.1:9/open311/v2", "--api-key", "k"),
            "Nicht erreichbar",
        ),
        (("X" * 201, "--email", "a@b.example"), "NAME"),
        (("X", "--email", "a@b.example", "--service-code", "ohne-gleich"), "UNSER=IHR"),
    ]
    for args, message in cases:
        result = _add(app, *args)
        assert result.exit_code != 0 and message in result.output, (args, result.output)
    assert db.session.scalars(select(Body)).all() == []
    missing = app.test_cli_runner().invoke(args=["bodies", "remove", "Niemand"])
    assert missing.exit_code != 0 and "gibt es nicht" in missing.output


def _mail_body(app) -> None:
    result = _add(app, "Stadt Haan", "--email", "post@haan.example", "--area", _area(app))
    assert result.exit_code == 0, result.output


def _area(app) -> str:
    path = Path(app.config["UPLOAD_FOLDER"]).parent / "haan-area.geojson"
    path.write_text(area_geojson())
    return str(path)


def test_the_e_mail_transport_sends_public_data_and_photo_links(app, make_report, uploads):
    _mail_body(app)
    report = make_report(
        at=IN_B,
        published=True,
        photos=[jpeg()],
        reporter_email="anna@example.org",
        reporter_name="Anna Beispiel",
    )
    result = app.test_cli_runner().invoke(args=["exchange", "forward"])
    assert "1 weitergeleitet" in result.output, result.output
    mail = db.session.scalars(select(OutboxMail).where(OutboxMail.kind == "forward")).one()
    assert mail.recipient == "post@haan.example" and report.case_number in mail.subject
    assert "/fotos/" in mail.body_text and report.description in mail.body_text
    assert "anna@example.org" not in mail.body_text + mail.body_html
    assert "Anna" not in mail.body_text + mail.body_html
    job = db.session.scalars(select(ExchangeJob)).one()
    assert job.state == "done" and job.remote_id == mail.message_id


def test_with_consent_the_body_gets_the_contact_data(app, make_report):
    _mail_body(app)
    make_report(at=IN_B, published=False, reporter_email="anna@example.org", share_consent=True)
    app.test_cli_runner().invoke(args=["exchange", "forward"])
    mail = db.session.scalars(select(OutboxMail).where(OutboxMail.kind == "forward")).one()
    assert "anna@example.org" in mail.body_text and "zugestimmt" in mail.body_text
