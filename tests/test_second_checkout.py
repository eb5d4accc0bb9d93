"""Two checkouts on one machine: each gets its own cluster on its own port (remembered in
instance/pg.port, read by config.py), both answer side by side while ours runs too, and
`scripts/pg.sh destroy` (make clean-db) removes only its own."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[1]


def _checkout(folder: Path) -> Path:
    """The files that decide the cluster: the script and the configuration that reads it."""
    (folder / "scripts").mkdir(parents=True)
    shutil.copy(ROOT / "scripts" / "pg.sh", folder / "scripts" / "pg.sh")
    shutil.copy(ROOT / "config.py", folder / "config.py")
    return folder


def _pg(checkout: Path, command: str) -> str:
    env = {k: v for k, v in os.environ.items() if k != "PG_PORT"}
    done = subprocess.run(
        ["bash", "scripts/pg.sh", command],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr + _log_tail(checkout)
    return done.stdout


def _log_tail(checkout: Path) -> str:
    """The cluster's log (beside its data, wherever instance/pg leads), for a failed start."""
    data = (checkout / "instance" / "pg").resolve()
    log = data.with_name(data.name + ".log")
    return "\n" + log.read_text(errors="replace")[-2000:] if log.exists() else ""


def _url_of(checkout: Path) -> str:
    """The test database URL that this checkout's config.py builds."""
    env = {k: v for k, v in os.environ.items() if k not in ("PG_PORT", "TEST_DATABASE_URL")}
    code = "import config; print(config._local_db('maengelmelder'))"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=checkout, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().replace("postgresql+psycopg", "postgresql")


@pytest.fixture
def checkouts(tmp_path: Path):
    pair = [_checkout(tmp_path / "a"), _checkout(tmp_path / "b")]
    yield pair
    for checkout in pair:
        _pg(checkout, "destroy")


def test_two_checkouts_run_their_clusters_side_by_side(checkouts):
    for checkout in checkouts:
        _pg(checkout, "start")
    ports = [(c / "instance" / "pg.port").read_text().strip() for c in checkouts]
    assert ports[0] != ports[1] and all(int(p) >= 54320 for p in ports)
    for checkout, port in zip(checkouts, ports, strict=True):
        url = _url_of(checkout)
        assert f":{port}/" in url
        with psycopg.connect(url) as connection:
            assert connection.execute("SELECT PostGIS_Version() IS NOT NULL").fetchone() == (True,)
        status = _pg(checkout, "status")
        assert f"Port:  {port}" in status and "Läuft" in status and "Daten:" in status

    _pg(checkouts[0], "destroy")
    assert not (checkouts[0] / "instance" / "pg.port").exists()
    assert "Gestoppt" in _pg(checkouts[0], "status")
    with psycopg.connect(_url_of(checkouts[1])) as connection:  # the other one is untouched
        assert connection.execute("SELECT 1").fetchone() == (1,)
