"""`flask media sweep`: photo files no photo names (a worker killed before its commit) go once
they are old; the photos of reports, fresh uploads and other people's files stay."""

from __future__ import annotations

import secrets

from app.media import sweep as sweep_module
from tests.factories import jpeg
from tests.fixtures.media import DAY, age, orphan, with_a_photo


def sweep(app, *options: str):
    return app.test_cli_runner().invoke(args=["media", "sweep", *options])


def test_old_orphans_go_and_everything_else_stays(app, client, uploads):
    photo = with_a_photo(client)
    reports_files = [uploads / photo.filename, uploads / photo.thumbnail]
    for path in reports_files:
        age(path, 3 * DAY)  # a report's photos are kept however old
    old, fresh = orphan(uploads, 2 * DAY), orphan(uploads, 60)  # fresh: its commit may come
    foreign = uploads / "README.txt"  # not a name the app gives: not ours to delete
    foreign.write_text("Backup-Hinweis")
    age(foreign, 3 * DAY)
    odd = uploads / (secrets.token_urlsafe(18) + ".jpg.bak")
    odd.write_bytes(b"x")
    age(odd, 3 * DAY)

    result = sweep(app)
    assert result.exit_code == 0, result.output
    assert "1 verwaiste Fotodateien gelöscht" in result.output
    assert not old.exists()
    assert all(p.exists() for p in [*reports_files, fresh, foreign, odd])
    assert "0 verwaiste" in sweep(app).output  # a second run finds nothing


def test_the_minimum_age_is_an_option(app, client, uploads):
    with_a_photo(client)
    recent = orphan(uploads, 3 * 3600)
    assert "0 verwaiste" in sweep(app).output and recent.exists()  # under the default 24 hours
    result = sweep(app, "--min-age-hours", "2")
    assert result.exit_code == 0 and "1 verwaiste" in result.output and not recent.exists()


def test_a_zero_or_unreadable_minimum_age_is_refused_and_deletes_nothing(app, uploads):
    young = orphan(uploads, 2 * DAY)
    for value in ("0", "-5", "vierundzwanzig", "9" * 40):
        result = sweep(app, "--min-age-hours", value)
        assert result.exit_code == 2, result.output
        assert "--min-age-hours" in result.output
    assert young.exists()


def test_many_orphans_are_checked_in_batches(app, client, uploads, monkeypatch):
    with_a_photo(client)
    monkeypatch.setattr("app.media.sweep.BATCH", 3)
    paths = [orphan(uploads, 2 * DAY) for _ in range(7)]
    assert "7 verwaiste" in sweep(app).output
    assert not any(p.exists() for p in paths)


def test_files_vanishing_during_the_sweep_are_skipped(app, client, uploads, monkeypatch):
    with_a_photo(client)
    monkeypatch.setattr("app.media.sweep.BATCH", 1)
    paths = [orphan(uploads, 2 * DAY) for _ in range(4)]
    real = sweep_module._unnamed

    def and_a_rollback_deletes_the_others(root, names):
        for path in paths:  # as a rolled-back upload or a committed rejection would
            if path.name not in names:
                path.unlink(missing_ok=True)
        return real(root, names)

    monkeypatch.setattr(sweep_module, "_unnamed", and_a_rollback_deletes_the_others)
    result = sweep(app)
    assert result.exit_code == 0, result.output
    assert "1 verwaiste" in result.output and not any(p.exists() for p in paths)


def test_a_database_without_photos_deletes_no_photo_files(app, uploads):
    """Pointed at the wrong (empty) database, every file would look like an orphan."""
    files = [orphan(uploads, 30 * DAY) for _ in range(3)]
    result = sweep(app)
    assert result.exit_code == 1
    assert "kein einziges Foto" in result.output and "Nichts gelöscht" in result.output
    assert all(p.exists() for p in files)


def test_directories_and_links_with_photo_names_are_left_alone(app, client, uploads, tmp_path):
    with_a_photo(client)
    elsewhere = tmp_path / "bild.jpg"
    elsewhere.write_bytes(jpeg())
    link = uploads / (secrets.token_urlsafe(18) + ".jpg")
    link.symlink_to(elsewhere)
    folder = uploads / (secrets.token_urlsafe(18) + ".jpg")
    folder.mkdir()
    for path in (link, folder, elsewhere):
        age(path, 3 * DAY)
    assert "0 verwaiste" in sweep(app).output
    assert link.is_symlink() and folder.is_dir() and elsewhere.exists()
    folder.rmdir()
