"""Faces and number plates are found on upload, blurred in every file anyone but staff sees,
checked by the inbox before publishing, and the unblurred original goes once that is done."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image, ImageChops, ImageFilter, ImageStat
from sqlalchemy import select

from app.extensions import db
from app.media import storage
from app.media.images import process_photo
from app.models import Photo, Redaction, Report
from app.privacy.service import purge
from app.redaction.detect import find_regions
from app.redaction.service import search_waiting
from tests.fixtures.media import DAY, age
from tests.fixtures.reports import current
from tests.fixtures.staff import act
from tests.helpers import confirmation, form_data, post_report, tracking_link, with_photos
from tests.redaction_set import cases, covered, touches_truth

SET = {case.name: case for case in cases()}


@pytest.mark.parametrize("name", sorted(SET))
def test_the_detector_finds_every_face_and_plate_of_the_test_set_and_nothing_else(name):
    case = SET[name]
    stored = process_photo(case.jpeg())
    regions = find_regions(stored.data)
    for kind, box in case.truth:
        assert covered(box, regions), f"{kind} at {box} not found in {name}"
    assert all(touches_truth(r, case.truth) for r in regions), f"false positive in {name}"


def _stripes() -> bytes:
    """A photo full of fine detail and without faces or plates: stripes a blur must wipe out."""
    image = Image.new("RGB", (2048, 1536), "white")
    for x in range(0, 2048, 8):
        image.paste((20, 20, 20), (x, 0, x + 4, 1536))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def _file(client, name: str = "face-120px-on-rocket") -> Report:
    raw = _stripes() if name == "stripes" else SET[name].jpeg()
    data = with_photos(form_data(description="Müll am Bach"), raw)
    assert post_report(client, data).status_code == 302
    report = db.session.scalar(select(Report).order_by(Report.id.desc()).limit(1))
    report.link = tracking_link(confirmation(client))  # type: ignore[attr-defined]
    return report


def _image(name: str) -> Image.Image:
    return Image.open(io.BytesIO(storage.path_for(name).read_bytes())).convert("RGB")


def _detail(image: Image.Image, box: tuple[int, int, int, int]) -> float:
    """How much fine structure (edges) a region has: eyes, mouth, letters."""
    x, y, w, h = box
    edges = image.crop((x, y, x + w, y + h)).convert("L").filter(ImageFilter.FIND_EDGES)
    return ImageStat.Stat(edges).mean[0]


def _difference(a: Image.Image, b: Image.Image, box: tuple[int, int, int, int]) -> float:
    x, y, w, h = box
    crop = (x, y, x + w, y + h)
    return ImageStat.Stat(ImageChops.difference(a.crop(crop), b.crop(crop))).mean[0]


FACE = SET["face-120px-on-rocket"].truth[0][1]


def _face_blurred(before: Image.Image, after: Image.Image) -> bool:
    """The face's fine structure (eyes, mouth) is gone: under a third of the original's."""
    return _detail(before, FACE) > 3 * _detail(after, FACE)


def test_a_face_is_blurred_and_the_report_waits_for_the_inbox(client, uploads, login_as):
    report = _file(client)
    photo = report.photos[0]
    assert photo.redaction == Redaction.SUGGESTED
    assert [r["kind"] for r in photo.regions] == ["face"]
    original, public = _image(photo.original), _image(photo.filename)
    assert _face_blurred(original, public)
    assert _difference(original, public, FACE) > 8
    # Nothing around the face changed (beyond JPEG noise).
    assert _difference(original, public, (1500, 100, 300, 300)) < 2

    login_as("dispatcher")
    inbox = client.get("/staff/eingang").get_data(as_text=True)
    assert "Foto prüfen: Gesichter/Kennzeichen" in inbox
    page = client.get(f"/staff/meldungen/{report.case_number}").get_data(as_text=True)
    assert "Vorschläge prüfen" in page and "Gesicht 1" in page
    # Staff judge the photo as uploaded, under a path the staff app never keeps offline.
    assert f"/staff/meldungen/{report.case_number}/original/{photo.original}" in page
    assert (
        client.get(f"/staff/meldungen/{report.case_number}/fotos/{photo.original}").status_code
        == 404
    )

    refused = act(client, report.case_number, "veroeffentlichen")
    assert refused.status_code == 422
    assert "noch nicht bestätigt" in refused.get_data(as_text=True)
    assert current(report.case_number).published_at is None


def test_confirmed_regions_are_published_blurred_and_the_original_goes(client, uploads, login_as):
    report = _file(client)
    photo = report.photos[0]
    original_name, original = photo.original, _image(photo.original)
    login_as("dispatcher")
    case = report.case_number
    assert act(client, case, "schwaerzen", photo=str(photo.id), an="0").status_code == 302
    assert current(case).photos[0].redaction == Redaction.CONFIRMED
    assert act(client, case, "veroeffentlichen").status_code == 302

    photo = current(case).photos[0]
    assert photo.original is None and not storage.path_for(original_name).exists()
    assert client.get(f"/staff/meldungen/{case}/fotos/{original_name}").status_code == 404
    public = client.get(f"/fotos/{photo.filename}")
    assert public.status_code == 200
    shown = Image.open(io.BytesIO(public.data)).convert("RGB")
    assert _face_blurred(original, shown)
    assert client.get(f"/fotos/{original_name}").status_code == 404


def test_a_false_positive_is_undone_from_the_original(client, uploads, login_as):
    report = _file(client)
    photo = report.photos[0]
    original = _image(photo.original)
    login_as("dispatcher")
    case = report.case_number
    # No "an": the suggestion is dropped; the public file shows the photo as uploaded.
    assert act(client, case, "schwaerzen", photo=str(photo.id)).status_code == 302
    photo = current(case).photos[0]
    assert photo.regions[0]["on"] is False and photo.redaction == Redaction.CONFIRMED
    assert _difference(original, _image(photo.filename), FACE) < 2


def test_staff_draw_a_region_the_detector_missed(client, uploads, login_as):
    report = _file(client, "stripes")  # nothing found
    photo = report.photos[0]
    assert photo.redaction == Redaction.NONE and photo.original is None
    before = _image(photo.filename)
    login_as("dispatcher")
    case = report.case_number
    response = act(client, case, "schwaerzen", photo=str(photo.id), neu="400,300,300,200")
    assert response.status_code == 302
    photo = current(case).photos[0]
    assert photo.regions == [{"x": 400, "y": 300, "w": 300, "h": 200, "kind": "manual", "on": True}]
    box = (400, 300, 300, 200)
    assert _detail(before, box) > 5 * _detail(_image(photo.filename), box)
    # Typed in percent without JavaScript: the same.
    typed = {"neu-x": "0", "neu-y": "0", "neu-breite": "10", "neu-hoehe": "12,5"}
    assert act(client, case, "schwaerzen", photo=str(photo.id), an="0", **typed).status_code == 302
    regions = current(case).photos[0].regions
    assert regions[1] == {"x": 0, "y": 0, "w": 205, "h": 192, "kind": "manual", "on": True}


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"an": "7"}, "Unbekannter Bereich."),
        ({"an": "0 OR 1=1"}, "Unbekannter Bereich."),
        ({"neu": "1,2,3"}, "unlesbar"),
        ({"neu": "-5,0,10,10"}, "unlesbar"),
        ({"neu": "0,0,99999,10"}, "nicht im Foto"),
        ({"neu": "2000,1500,100,100"}, "nicht im Foto"),
        ({"neu": ["0,0,10,10"] * 60}, "Höchstens 50 Bereiche"),
        ({"neu-x": "abc", "neu-y": "1", "neu-breite": "1", "neu-hoehe": "1"}, "als Zahl"),
        ({"neu-x": "50", "neu-y": "1", "neu-breite": "500", "neu-hoehe": "1"}, "zwischen 0"),
        ({"neu-x": "10"}, "als Zahl"),
        ({"neu": "1\x00,2,3,4"}, "unlesbar"),
        ({"an": "²"}, "Unbekannter Bereich."),
        ({"neu": "1,2,3,²"}, "unlesbar"),
        ({"neu-x": "nan", "neu-y": "1", "neu-breite": "1", "neu-hoehe": "1"}, "als Zahl"),
    ],
)
def test_bad_regions_change_nothing(client, uploads, login_as, fields, message):
    report = _file(client)
    photo = report.photos[0]
    before = (photo.filename, photo.original, list(photo.regions), photo.redaction)
    login_as("dispatcher")
    case = report.case_number
    version = current(case).version
    response = act(client, case, "schwaerzen", photo=str(photo.id), **fields)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    photo = current(case).photos[0]
    assert (photo.filename, photo.original, photo.regions, photo.redaction) == before
    assert current(case).version == version


def test_photos_waiting_for_the_check_stay_out_of_public_outputs(app, client, uploads, login_as):
    """Even published (by a mistake elsewhere), a photo with unconfirmed suggestions is not
    public; the reporter sees her own, already blurred."""
    report = _file(client)
    photo = report.photos[0]
    report.published_at = datetime.now(UTC)
    db.session.commit()
    assert client.get(f"/fotos/{photo.filename}").status_code == 404
    assert client.get(f"/fotos/{photo.original}").status_code == 404
    page = client.get(f"/meldungen/{report.case_number}").get_data(as_text=True)
    assert photo.filename not in page and photo.thumbnail not in page
    feed = client.get("/open311/v2/requests.json").get_data(as_text=True)
    assert photo.filename not in feed
    link = report.link  # type: ignore[attr-defined]
    assert client.get(f"{link}/fotos/{photo.filename}").status_code == 200
    assert client.get(f"{link}/fotos/{photo.original}").status_code == 404


def test_immediate_publishing_blurs_at_once_and_staff_can_undo(
    app, client, uploads, login_as, monkeypatch
):
    monkeypatch.setitem(app.config, "PUBLISHING", "immediate")
    report = _file(client)
    monkeypatch.setitem(app.config, "PUBLISHING", "moderated")
    photo = report.photos[0]
    assert photo.redaction == Redaction.AUTO and photo.original is not None
    public = client.get(f"/fotos/{photo.filename}")
    assert public.status_code == 200
    original = _image(photo.original)
    shown = Image.open(io.BytesIO(public.data)).convert("RGB")
    assert _face_blurred(original, shown)
    login_as("dispatcher")
    case = report.case_number
    assert act(client, case, "schwaerzen", photo=str(photo.id)).status_code == 302
    photo = current(case).photos[0]
    # Published already: the undo is the last look, the original goes.
    assert photo.original is None
    assert _difference(original, _image(photo.filename), FACE) < 2


def test_the_job_searches_photos_stored_without_a_search(
    app, client, uploads, login_as, monkeypatch
):
    monkeypatch.setitem(app.config, "PHOTO_DETECTION", "job")
    report = _file(client)
    monkeypatch.setitem(app.config, "PHOTO_DETECTION", "inline")
    photo = report.photos[0]
    assert photo.redaction == Redaction.PENDING and photo.original is None
    login_as("dispatcher")
    case = report.case_number
    refused = act(client, case, "veroeffentlichen")
    assert refused.status_code == 422
    assert search_waiting() == 1
    photo = current(case).photos[0]
    assert photo.redaction == Redaction.SUGGESTED and photo.original is not None
    assert _face_blurred(_image(photo.original), _image(photo.filename))
    assert search_waiting() == 0


def test_a_hidden_photo_does_not_hold_up_publishing(client, uploads, login_as):
    report = _file(client)
    login_as("dispatcher")
    case = report.case_number
    assert act(client, case, "foto", photo=str(report.photos[0].id)).status_code == 302
    assert act(client, case, "veroeffentlichen").status_code == 302


def test_the_purge_deletes_originals_nobody_needs(app, client, uploads, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLISHING", "immediate")
    recent, old = _file(client), _file(client)
    monkeypatch.setitem(app.config, "PUBLISHING", "moderated")
    waiting = _file(client)  # unpublished and unchecked: staff still need the original
    old_photo = old.photos[0]
    old_photo.created_at = datetime.now(UTC) - timedelta(days=15)
    names = {r.case_number: r.photos[0].original for r in (recent, old, waiting)}
    db.session.commit()
    counts = purge(app.config["RETENTION_DAYS"])
    db.session.commit()
    assert counts["originals"] == 1
    assert not storage.path_for(names[old.case_number]).exists()
    assert current(old.case_number).photos[0].original is None
    for kept in (recent, waiting):
        assert storage.path_for(names[kept.case_number]).exists()


def test_other_doors_store_photos_the_same_way(client, uploads, login_as, make_report):
    """Staff intake, Open311, the city app and partners file through the same service."""
    report = make_report(photos=[SET["plate-90px-on-chelsea"].jpeg()], published=False)
    photo: Photo = report.photos[0]
    assert photo.redaction == Redaction.SUGGESTED
    assert [r["kind"] for r in photo.regions] == ["plate"]


def test_the_media_sweep_keeps_originals_and_rejections_keep_them_a_day(
    app, client, uploads, login_as
):
    report = _file(client)
    _file(client, "stripes")  # a photo stays known: the sweep refuses an empty database
    original = uploads / report.photos[0].original
    age(original, 3 * DAY)
    sweep = app.test_cli_runner().invoke(args=["media", "sweep"])
    assert "0 verwaiste" in sweep.output and original.exists()
    login_as("dispatcher")
    assert act(client, report.case_number, "ablehnen", reason="spam").status_code == 302
    sweep = app.test_cli_runner().invoke(args=["media", "sweep"])
    assert "0 verwaiste" in sweep.output and original.exists()


def test_only_the_inbox_sees_originals(client, uploads, login_as):
    report = _file(client)
    url = f"/staff/meldungen/{report.case_number}/original/{report.photos[0].original}"
    login_as("crew_light")
    assert client.get(url).status_code == 403
    login_as("dispatcher")
    answer = client.get(url)
    assert answer.status_code == 200 and "no-store" in answer.headers["Cache-Control"]


def test_a_form_from_before_the_search_cannot_turn_its_findings_off(
    app, client, uploads, login_as, monkeypatch
):
    monkeypatch.setitem(app.config, "PHOTO_DETECTION", "job")
    report = _file(client)
    case, photo_id = report.case_number, report.photos[0].id
    login_as("dispatcher")
    seen = current(case).version
    # Still being searched: nothing to confirm yet.
    refused = act(client, case, "schwaerzen", photo=str(photo_id), version=str(seen))
    assert refused.status_code == 422 and "noch auf Gesichter" in refused.get_data(as_text=True)
    assert search_waiting() == 1
    stale = act(client, case, "schwaerzen", photo=str(photo_id), version=str(seen))
    assert stale.status_code == 409
    assert current(case).photos[0].redaction == Redaction.SUGGESTED


def test_a_photo_the_job_cannot_search_waits_for_staff_instead_of_blocking(
    app, client, uploads, login_as, monkeypatch
):
    monkeypatch.setitem(app.config, "PHOTO_DETECTION", "job")
    broken, fine = _file(client), _file(client)
    storage.path_for(broken.photos[0].filename).unlink()
    assert search_waiting() == 2
    assert current(broken.case_number).photos[0].redaction == Redaction.SUGGESTED
    assert current(fine.case_number).photos[0].redaction == Redaction.SUGGESTED
    assert current(fine.case_number).photos[0].regions
    login_as("dispatcher")
    page = client.get(f"/staff/meldungen/{broken.case_number}").get_data(as_text=True)
    assert "nicht automatisch durchsucht" in page


def test_a_crews_unsearched_photo_is_not_shown_to_the_reporter(
    app, client, uploads, login_as, monkeypatch
):
    report = _file(client, "stripes")
    login_as("dispatcher")
    assert act(client, report.case_number, "veroeffentlichen").status_code == 302
    monkeypatch.setitem(app.config, "PHOTO_DETECTION", "job")
    login_as("admin")
    after = {"photo": (io.BytesIO(SET["face-120px-on-rocket"].jpeg()), "nachher.jpg")}
    response = client.post(
        f"/staff/meldungen/{report.case_number}/status",
        data={
            "version": str(current(report.case_number).version),
            "status": "in_progress",
            "visibility": "public",
            **after,
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    crew_photo = next(p for p in current(report.case_number).photos if p.after)
    assert crew_photo.redaction == Redaction.PENDING
    link = report.link  # type: ignore[attr-defined]
    assert client.get(f"{link}/fotos/{crew_photo.filename}").status_code == 404
    assert client.get(f"/fotos/{crew_photo.filename}").status_code == 404


def test_a_tightly_drawn_plate_loses_its_letters(client, uploads, login_as):
    case = SET["plate-90px-on-chelsea"]
    report = _file(client, "plate-90px-on-chelsea")
    photo = report.photos[0]
    before = _image(photo.original)
    login_as("dispatcher")
    x, y, w, h = case.truth[0][1]
    tight = f"{x},{y},{w},{h}"
    # Only the hand-drawn rectangle, exactly the plate: its letters must go too.
    assert (
        act(client, report.case_number, "schwaerzen", photo=str(photo.id), neu=tight).status_code
        == 302
    )
    after = _image(current(report.case_number).photos[0].filename)
    assert _detail(before, (x, y, w, h)) > 4 * _detail(after, (x, y, w, h))
