"""Benchmark: what the report form costs a phone. Debian's chromium (Playwright) at 390 × 844
against gunicorn on a database of its own (maengelmelder_bench_form, or BENCH_FORM_DATABASE_URL:
migrations, the demo city, 200 demo reports), over emulated fast 3G (the figures of
tests/e2e/test_photos.py):

- the form page and the start page, a first visit and a second one in a new tab of the same
  browser context (warm HTTP cache): requests, how many the cache answered alone, how many came
  back as 304, the kilobytes transferred (and what they would be gzipped), the load event, the
  largest resources, and the static files' caching headers;
- the seconds from "Meldung absenden" to the confirmation with one 8 MB photo (a fresh context
  per run), and their median.

    .venv/bin/python bench/form_page.py [--runs 3]

Bytes are the DevTools protocol's encodedDataLength (headers and body as on the wire; gunicorn
does not compress). Map tiles come from outside: the browser answers them with a blank PNG and
they are not counted. They are stubbed through the protocol's Fetch domain for their host only,
because a Playwright route switches the HTTP cache off.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import shutil
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from common import bench_url
from flask_migrate import upgrade
from playwright.sync_api import Browser, BrowserContext, CDPSession, Page, expect, sync_playwright

from app import create_app
from app.demo import service as demo
from app.extensions import db
from app.stats.service import refresh as refresh_statistics
from tests.e2e.conftest import CHROMIUM_ARGS, PHONE, TILE, TILE_HOST
from tests.e2e.test_photos import camera_photo, fill_in, previews
from tests.server_support import gunicorn

PAGES = [("form", "/melden"), ("start", "/")]
FAST_3G = {  # as in tests/e2e/test_photos.py::test_an_8_mb_photo_over_fast_3g
    "offline": False,
    "latency": 150,
    "downloadThroughput": 1_600_000 / 8,
    "uploadThroughput": 750_000 / 8,
}
TILE_ANSWER = {
    "responseCode": 200,
    "responseHeaders": [{"name": "Content-Type", "value": "image/png"}],
    "body": base64.b64encode(TILE).decode(),
}


@dataclass
class Load:
    """One request of the page, as the DevTools protocol saw it."""

    url: str
    wire_status: int = 0  # what the server answered (304), not the cached answer it revived
    cached: bool = False  # answered by the browser's cache without asking the server
    size: int = 0  # encodedDataLength
    gzipped: int = 0  # the same with the body gzipped (level 6, as nginx's gzip_comp_level 6)
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.url.split("?")[0].rsplit("/", 1)[-1] or "/"


def prepare_database() -> str:
    url = bench_url("maengelmelder_bench_form", "BENCH_FORM_DATABASE_URL")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        if demo.city_is_empty():  # as `flask demo load --reports 200`
            demo.load_city()
            db.session.flush()
            demo.generate_reports(200)
            refresh_statistics()
        db.session.commit()
        db.engine.dispose()
    return url


def stub_tile(cdp: CDPSession, event: dict) -> None:
    cdp.send("Fetch.fulfillRequest", {"requestId": event["requestId"], **TILE_ANSWER})


def open_page(context: BrowserContext) -> tuple[Page, CDPSession, dict[str, Load]]:
    """A new tab on fast 3G whose requests are recorded (tiles aside) and whose tiles stubbed."""
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    loads: dict[str, Load] = {}

    def sent(event: dict) -> None:
        url = event["request"]["url"]
        if url.startswith("http") and f"//{TILE_HOST}/" not in url:
            loads[event["requestId"]] = Load(url)

    def received(event: dict) -> None:
        if load := loads.get(event["requestId"]):
            load.headers = {k.lower(): v for k, v in event["response"]["headers"].items()}
            load.cached |= event["response"].get("fromDiskCache", False)

    def update(event: dict, **values: object) -> None:
        if load := loads.get(event["requestId"]):
            for name, value in values.items():
                setattr(load, name, value)

    cdp.on("Network.requestWillBeSent", sent)
    cdp.on("Network.responseReceived", received)
    cdp.on("Network.responseReceivedExtraInfo", lambda e: update(e, wire_status=e["statusCode"]))
    cdp.on("Network.requestServedFromCache", lambda e: update(e, cached=True))
    cdp.on("Network.loadingFinished", lambda e: update(e, size=int(e["encodedDataLength"])))
    cdp.on("Fetch.requestPaused", lambda e: stub_tile(cdp, e))
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", FAST_3G)
    cdp.send("Fetch.enable", {"patterns": [{"urlPattern": f"http://{TILE_HOST}/*"}]})
    return page, cdp, loads


def new_context(browser: Browser) -> BrowserContext:
    options = {"locale": "de-DE", "timezone_id": "Europe/Berlin", **PHONE}
    context = browser.new_context(**options)  # type: ignore[arg-type]
    context.set_default_timeout(60_000)
    return context


def visit(context: BrowserContext, url: str) -> tuple[list[Load], float]:
    """The page's requests and its load event (seconds after the navigation started)."""
    page, cdp, loads = open_page(context)
    page.goto(url, wait_until="networkidle")
    loaded = page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd") / 1000
    for request_id, load in loads.items():
        if load.size and load.wire_status == 200:  # what a gzipping proxy would send instead
            answer = cdp.send("Network.getResponseBody", {"requestId": request_id})
            raw = answer["body"]
            body = base64.b64decode(raw) if answer["base64Encoded"] else raw.encode()
            load.gzipped = load.size - len(body) + len(gzip.compress(body, 6))
        else:
            load.gzipped = load.size
    page.close()
    return list(loads.values()), loaded


def measure_pages(browser: Browser, base: str) -> None:
    print(
        f"{'page':14} {'visit':6} {'requests':>8} {'cache':>5} {'304':>4} {'KB':>6} "
        f"{'gzip KB':>7} {'load s':>6}  largest (KB)"
    )
    statics: dict[str, Load] = {}  # every resource's full answer, for its caching headers
    for name, path in PAGES:
        context = new_context(browser)
        for number in ("first", "second"):
            loads, loaded = visit(context, base + path)
            statics.update((load.name, load) for load in loads if load.wire_status == 200)
            largest = sorted(loads, key=lambda load: load.size, reverse=True)[:4]
            print(
                f"{name + ' ' + path:14} {number:6} {len(loads):8} "
                f"{sum(load.cached for load in loads):5} "
                f"{sum(load.wire_status == 304 for load in loads):4} "
                f"{sum(load.size for load in loads) / 1024:6.1f} "
                f"{sum(load.gzipped for load in loads) / 1024:7.1f} {loaded:6.2f}  "
                + ", ".join(f"{load.name} {load.size / 1024:.1f}" for load in largest)
            )
        context.close()
    policies: dict[str, list[str]] = {}
    for load in statics.values():
        if "/static/" in load.url or "/api/" in load.url:
            etag = " + ETag" if "etag" in load.headers else ""
            policies.setdefault(load.headers.get("cache-control", "–") + etag, []).append(load.name)
    for policy, names in policies.items():
        print(f"Cache-Control {policy}: {', '.join(names)}")


def send_with_photo(browser: Browser, base: str, photo: dict) -> float:
    context = new_context(browser)
    page, _, _ = open_page(context)
    page.goto(base + "/melden")
    fill_in(page)
    page.get_by_label("Fotos").set_input_files(photo)  # type: ignore[arg-type]
    expect(previews(page)).to_have_count(1)
    started = time.monotonic()  # from here on as the e2e test: shrinking counts, if not done
    page.get_by_role("button", name="Meldung absenden").click()
    heading = page.get_by_role("heading", name="Vielen Dank für Ihre Meldung!")
    expect(heading).to_be_visible(timeout=180_000)
    took = time.monotonic() - started
    context.close()
    return took


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3, help="reports sent with a photo")
    args = parser.parse_args()
    url = prepare_database()
    tiles = f"http://{TILE_HOST}/{{z}}/{{x}}/{{y}}.png"
    with (
        tempfile.TemporaryDirectory() as folder,
        gunicorn(
            url, Path(folder), TILE_URL=tiles, UPLOAD_FOLDER=folder, RATELIMIT_ENABLED="0"
        ) as server,
        sync_playwright() as playwright,
    ):
        base = f"http://127.0.0.1:{server.port}"
        chromium = shutil.which("chromium") or shutil.which("chromium-browser")
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        print("phone 390 × 844, fast 3G (1.6 Mbit/s down, 0.75 up, 150 ms); tiles not counted")
        measure_pages(browser, base)
        photo = camera_photo(noisy=True, quality=97)
        megabytes = len(photo["buffer"]) / 2**20
        print(f"\na report with one {megabytes:.1f} MB photo: 'Meldung absenden' → confirmation")
        times = []
        for run in range(1, args.runs + 1):
            times.append(send_with_photo(browser, base, photo))
            print(f"  run {run}: {times[-1]:.1f} s", flush=True)
        print(f"  median: {statistics.median(times):.1f} s")
        browser.close()


if __name__ == "__main__":
    main()
