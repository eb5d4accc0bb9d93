"""Browser tests: Debian's chromium, driven by Playwright, against the app served by a real
server process on loopback with its own PostGIS database (built by the migrations, with the demo
city). Map tiles come from a stub; any other request leaving the machine is refused. Each test
leaves a screenshot of its final state in test-artifacts/screenshots/ (ignored by git)."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Page, Route, sync_playwright
from sqlalchemy.engine import make_url

from tests.mailbox import free_port

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-artifacts" / "screenshots"
TILE_HOST = "tiles.invalid"
PASSWORD = "lange-sichere-passphrase"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}


def _tile() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (256, 256), (228, 232, 236)).save(buffer, "PNG")
    return buffer.getvalue()


TILE = _tile()


def server_database(app) -> str:
    """The URL of the server process's database (TEST_DATABASE_URL's name with "_e2e")."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    return url.set(database=f"{url.database}_e2e").render_as_string(hide_password=False)


def _fresh_database(app) -> str:
    """A database of its own for the server process, rebuilt for every test run."""
    url = make_url(server_database(app))
    name = url.database
    admin = {"host": url.host, "port": url.port, "user": url.username, "password": url.password}
    with psycopg.connect(dbname="postgres", autocommit=True, **admin) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return url.render_as_string(hide_password=False)


def flask_command(env: dict, *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "flask", *args], cwd=ROOT, env=env, check=True, capture_output=True
    )


def _add_body(database_url: str) -> None:
    """One other body (no area, no categories: routing never picks it), so that the staff
    report page shows its form for forwarding to a body, and the axe test sees it."""
    url = make_url(database_url)
    admin = {"host": url.host, "port": url.port, "user": url.username, "password": url.password}
    with psycopg.connect(dbname=url.database, autocommit=True, **admin) as connection:
        connection.execute(
            "INSERT INTO bodies (name, email) VALUES (%s, %s)",
            ("Straßen.NRW", "meldungen@strassen-nrw.example"),
        )


@pytest.fixture(scope="session")
def server(app, tmp_path_factory) -> Iterator[str]:
    env = dict(
        os.environ,
        FLASK_APP="wsgi.py",
        DATABASE_URL=_fresh_database(app),
        SECRET_KEY="e2e-" + "x" * 40,
        TILE_URL=f"http://{TILE_HOST}/{{z}}/{{x}}/{{y}}.png",
        UPLOAD_FOLDER=str(tmp_path_factory.mktemp("e2e-uploads")),
        RATELIMIT_ENABLED="0",
        MAIL_SERVER="",
        PUBLISHING="moderated",
    )
    flask_command(env, "db", "upgrade")
    flask_command(env, "demo", "load")
    # A few hundred reports over five years (most of them closed): clusters on the city map,
    # and department queues short enough to show a new report on their first page.
    flask_command(env, "demo", "generate", "--count", "300")
    _add_body(env["DATABASE_URL"])
    for email, role, departments in [
        ("poststelle@example.org", "dispatcher", []),
        ("licht@example.org", "crew", ["--department", "tbs-licht"]),
        ("admin@example.org", "admin", []),
    ]:
        flask_command(
            env,
            "users",
            "create",
            "--email",
            email,
            "--password",
            PASSWORD,
            "--role",
            role,
            *departments,
        )
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "run", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    _wait_until_up(base, process)
    yield base
    process.terminate()
    process.wait(10)


def _wait_until_up(base: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server process ended"
        try:
            urllib.request.urlopen(base + "/ueber", timeout=2)
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("server did not start")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    assert executable, "chromium is missing: make test installs it with apt-get"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def _only_local(server: str):
    def handle(route: Route) -> None:
        url = route.request.url
        if url.startswith(server):
            route.continue_()
        elif f"//{TILE_HOST}/" in url:
            route.fulfill(status=200, content_type="image/png", body=TILE)
        else:
            route.abort()  # nothing leaves the machine

    return handle


def new_context(browser: Browser, server: str, **options: object) -> BrowserContext:
    context = browser.new_context(locale="de-DE", timezone_id="Europe/Berlin", **options)
    context.route("**/*", _only_local(server))
    context.set_default_timeout(10_000)
    return context


@pytest.fixture
def phone(browser, server, request) -> Iterator[Page]:
    """A phone-sized touch screen (390 × 844); the final state is kept as a screenshot."""
    context = new_context(browser, server, **PHONE)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors  # type: ignore[attr-defined]
    yield page
    page.screenshot(path=str(shot_path(request.node.name)), full_page=True)
    context.close()
    assert errors == [], f"JavaScript errors: {errors}"


def shot_path(name: str) -> Path:
    """A file name for a test's screenshot; parameters such as URLs become plain characters."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS / (re.sub(r"[^\w.-]+", "_", name).strip("_") + ".png")


def login(page: Page, server: str, email: str) -> None:
    page.goto(f"{server}/anmelden")
    page.get_by_label("E-Mail").fill(email)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url("**/staff/**")


def open_coordinates(page: Page) -> None:
    """Unfold "Koordinaten eingeben" on the report form (folded while the map works)."""
    summary = page.locator("details.coords-toggle > summary")
    if not page.locator("details.coords-toggle").evaluate("d => d.open"):
        summary.click()


def choose_category(page: Page, name: str) -> None:
    """Tap a category tile on the report form."""
    page.get_by_role("radio", name=name, exact=True).check()
