"""Configuration. Every setting can be overridden by an environment variable of the same name."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import ClassVar

BASE_DIR = Path(__file__).resolve().parent
LOCAL_DB = "postgresql+psycopg://maengelmelder@127.0.0.1:{port}/{name}"


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "")
    return value if value != "" else default


def _env_int(name: str, default: int) -> int:
    return int(_env(name, str(default)))


def _env_bool(name: str, default: bool) -> bool:
    return _env(name, "1" if default else "0").lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    """SECRET_KEY from the environment, else a random key kept in instance/secret_key.

    Never a fixed default: a known key would let anyone forge sessions and CSRF tokens."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = BASE_DIR / "instance" / "secret_key"
    path.parent.mkdir(exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # made earlier, or by a process starting at the same moment
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def local_port() -> str:
    """The project-local cluster's port: PG_PORT, else the one scripts/pg.sh chose for this
    checkout (instance/pg.port), else the first it would try."""
    remembered = BASE_DIR / "instance" / "pg.port"
    default = remembered.read_text().strip() if remembered.is_file() else "54320"
    return _env("PG_PORT", default or "54320")


def _local_db(name: str) -> str:
    return LOCAL_DB.format(port=local_port(), name=name)


class Config:
    """Defaults for development; production sets at least SECRET_KEY and DATABASE_URL."""

    SECRET_KEY = _secret_key()
    SQLALCHEMY_DATABASE_URI = _env("DATABASE_URL", _local_db("maengelmelder"))
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict] = {"pool_pre_ping": True}
    # A streaming read replica of DATABASE_URL for public reads (app/replica.py); empty: none.
    DATABASE_REPLICA_URL = _env("DATABASE_REPLICA_URL", "")
    # A replica further behind than this is left out until it has caught up.
    REPLICA_MAX_LAG_SECONDS = _env_int("REPLICA_MAX_LAG_SECONDS", 30)
    PORT = _env_int("PORT", 5000)

    CITY_NAME = _env("CITY_NAME", "Solingen")
    # The site's address for links in mails (e.g. https://maengel.solingen.de); empty: the
    # address the request came to. Needed when the city app reaches us through another host.
    PUBLIC_URL = _env("PUBLIC_URL", "")
    # Demo district lines are approximate; the about page says so while this is set.
    DISTRICTS_APPROXIMATE = _env_bool("DISTRICTS_APPROXIMATE", True)
    # "moderated": text and photos become public after staff checked them; "immediate": at once.
    PUBLISHING = _env("PUBLISHING", "moderated")
    # Licence of the open data (feeds and exports), named in them and on the about page.
    OPEN_DATA_LICENSE = _env(
        "OPEN_DATA_LICENSE", "Datenlizenz Deutschland – Zero – Version 2.0 (dl-de/zero-2-0)"
    )

    TILE_URL = _env("TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
    TILE_ATTRIBUTION = _env(
        "TILE_ATTRIBUTION",
        '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>-Mitwirkende',
    )

    UPLOAD_FOLDER = _env("UPLOAD_FOLDER", str(BASE_DIR / "instance" / "uploads"))
    MAX_PHOTOS = _env_int("MAX_PHOTOS", 5)
    MAX_PHOTO_BYTES = _env_int("MAX_PHOTO_BYTES", 10 * 1024 * 1024)
    # Five photos of 10 MB plus the form fields.
    MAX_CONTENT_LENGTH = _env_int("MAX_CONTENT_LENGTH", 52 * 1024 * 1024)
    MAX_IMAGE_PIXELS = _env_int("MAX_IMAGE_PIXELS", 50_000_000)
    PHOTO_MAX_SIZE = _env_int("PHOTO_MAX_SIZE", 2048)
    THUMBNAIL_SIZE = _env_int("THUMBNAIL_SIZE", 400)
    # Faces and number plates (app/redaction): searched during the upload ("inline", about
    # 0.2 s per photo) or by the worker (`job`, for slow servers; photos wait unpublished).
    PHOTO_DETECTION = _env("PHOTO_DETECTION", "inline")
    # The unblurred original of a photo goes when the report is published after the check, and
    # at the latest after this many days; auto-blurred photos (PUBLISHING=immediate, crews'
    # photos) keep it that long so staff can undo a false positive.
    REDACTION_REVIEW_DAYS = _env_int("REDACTION_REVIEW_DAYS", 14)
    DESCRIPTION_MAX_LENGTH = _env_int("DESCRIPTION_MAX_LENGTH", 2000)
    # District boundaries uploaded on the admin page (Köln's 86 Stadtteile: about 1 MB).
    DISTRICT_FILE_MAX_BYTES = _env_int("DISTRICT_FILE_MAX_BYTES", 10 * 1024 * 1024)

    RATELIMIT_ENABLED = _env_bool("RATELIMIT_ENABLED", True)
    RATELIMIT_STORAGE_URI = _env("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_REPORTS = _env("RATELIMIT_REPORTS", "10 per hour;30 per day")
    RATELIMIT_EXPORTS = _env("RATELIMIT_EXPORTS", "30 per hour")
    RATELIMIT_LOGIN = _env("RATELIMIT_LOGIN", "10 per minute;50 per hour")
    # After this many wrong passwords for one account from one address, that address waits
    # 2 s before its next try for the account, then 4 s, 8 s, … up to LOGIN_LOCK_MINUTES.
    LOGIN_MAX_FAILURES = _env_int("LOGIN_MAX_FAILURES", 5)
    LOGIN_LOCK_MINUTES = _env_int("LOGIN_LOCK_MINUTES", 15)
    # A staff session without a request for this long ends (a forgotten tab on a shared PC).
    STAFF_SESSION_HOURS = _env_int("STAFF_SESSION_HOURS", 8)
    # Proxies in front of the app: the client address then comes from X-Forwarded-For.
    PROXY_FIX = _env_int("PROXY_FIX", 0)

    # The worker (`flask outbox work`) recomputes the transparency figures when older than this.
    STATS_MAX_AGE = _env_int("STATS_MAX_AGE", 600)

    BABEL_DEFAULT_LOCALE = "de"
    # German cities: filters, map months and displayed times all use Europe/Berlin.
    BABEL_DEFAULT_TIMEZONE = "Europe/Berlin"

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = _env("SESSION_COOKIE_SAMESITE", "Lax")
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", False)
    WTF_CSRF_TIME_LIMIT = None

    # Open311 GeoReport v2 (app/open311). The jurisdiction is the city's web domain (spec advice).
    OPEN311_JURISDICTION_ID = _env("OPEN311_JURISDICTION_ID", "solingen.de")
    OPEN311_CONTACT = _env("OPEN311_CONTACT", "open311@example.org")
    # How to get an API key; empty: a sentence pointing to OPEN311_CONTACT.
    OPEN311_KEY_SERVICE = _env("OPEN311_KEY_SERVICE", "")
    # "production" or "test" (discovery); the changeset changes when services change.
    OPEN311_ENDPOINT_TYPE = _env("OPEN311_ENDPOINT_TYPE", "production")
    OPEN311_CHANGESET = _env("OPEN311_CHANGESET", "2026-11-25T00:00:00Z")
    # POST requests per API key (counted under the key's hash): a city app files a report per
    # citizen; a runaway client or a leaked key cannot flood the departments' mailboxes.
    RATELIMIT_OPEN311_KEY = _env("RATELIMIT_OPEN311_KEY", "20 per minute;1000 per day")
    # Default and largest page of GET requests (the spec's default is 1000).
    OPEN311_PAGE_SIZE = _env_int("OPEN311_PAGE_SIZE", 1000)

    # The city's own app (Parse protocol, app/cityapp): off unless both keys are set.
    CITY_APP_PATH = _env("CITY_APP_PATH", "/parse")
    CITY_APP_APPLICATION_ID = _env("CITY_APP_APPLICATION_ID", "")
    CITY_APP_CLIENT_KEY = _env("CITY_APP_CLIENT_KEY", "")
    # Four phone photos in base64 are about 30 MB; the rest of the site keeps MAX_CONTENT_LENGTH.
    CITY_APP_MAX_BODY = _env_int("CITY_APP_MAX_BODY", 40 * 1024 * 1024)

    # Mail (app/notifications): without MAIL_SERVER, mails go to the log instead (development).
    MAIL_SERVER = _env("MAIL_SERVER", "")
    MAIL_PORT = _env_int("MAIL_PORT", 25)
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS", False)  # STARTTLS
    MAIL_USE_SSL = _env_bool("MAIL_USE_SSL", False)  # TLS from the first byte (port 465)
    MAIL_USERNAME = _env("MAIL_USERNAME", "") or None
    MAIL_PASSWORD = _env("MAIL_PASSWORD", "") or None
    MAIL_DEFAULT_SENDER = _env("MAIL_DEFAULT_SENDER", "Mängelmelder <noreply@example.org>")
    MAIL_TIMEOUT = _env_int("MAIL_TIMEOUT", 20)
    # A mail that failed this often is given up ("failed", listed for admins); the wait between
    # tries doubles from MAIL_RETRY_SECONDS.
    MAIL_MAX_ATTEMPTS = _env_int("MAIL_MAX_ATTEMPTS", 8)
    MAIL_RETRY_SECONDS = _env_int("MAIL_RETRY_SECONDS", 60)
    # A mail still "sending" after this long belongs to a worker that died: it is tried again,
    # with the same Message-ID.
    MAIL_SENDING_TIMEOUT = _env_int("MAIL_SENDING_TIMEOUT", 300)
    OUTBOX_POLL_SECONDS = _env_int("OUTBOX_POLL_SECONDS", 5)
    # `flask outbox work` deletes orphan photo files (`flask media sweep`) at start-up and then
    # this often; 0: never (a timer runs `flask media sweep` instead).
    MEDIA_SWEEP_INTERVAL_HOURS = _env_int("MEDIA_SWEEP_INTERVAL_HOURS", 24)
    RATELIMIT_FOLLOW = _env("RATELIMIT_FOLLOW", "10 per hour")
    # Area alerts (app/alerts): the daily digest covers the reports published until this hour
    # (city time) and is written by the worker soon after it.
    ALERT_DIGEST_HOUR = _env_int("ALERT_DIGEST_HOUR", 7)
    # Questions to the reporter (Rückfrage): the answer link works once and this many days;
    # answers sent per client address.
    INQUIRY_DAYS = _env_int("INQUIRY_DAYS", 30)
    RATELIMIT_INQUIRY = _env("RATELIMIT_INQUIRY", "10 per hour")
    # "Ist der Mangel behoben?": the reporter can answer (and reopen the report) this many days
    # after it was resolved; later the page offers a new report at the same place.
    REOPEN_DAYS = _env_int("REOPEN_DAYS", 28)

    # Exchange with other bodies (app/exchange): `flask exchange work` looks for due forwarding
    # jobs this often and reads the bodies' updates every EXCHANGE_SYNC_SECONDS. A failed try
    # waits EXCHANGE_RETRY_SECONDS, doubling each time up to six hours; after
    # EXCHANGE_MAX_ATTEMPTS the job is "failed" and waits for an admin's retry.
    EXCHANGE_POLL_SECONDS = _env_int("EXCHANGE_POLL_SECONDS", 5)
    EXCHANGE_SYNC_SECONDS = _env_int("EXCHANGE_SYNC_SECONDS", 300)
    EXCHANGE_RETRY_SECONDS = _env_int("EXCHANGE_RETRY_SECONDS", 30)
    EXCHANGE_MAX_ATTEMPTS = _env_int("EXCHANGE_MAX_ATTEMPTS", 12)
    # Seconds to wait for a peer's answer; a job still running after EXCHANGE_LEASE_SECONDS
    # belongs to a worker that died and is taken up again.
    EXCHANGE_TIMEOUT = _env_int("EXCHANGE_TIMEOUT", 20)
    EXCHANGE_LEASE_SECONDS = _env_int("EXCHANGE_LEASE_SECONDS", 600)

    PRIVACY_CONTACT = _env("PRIVACY_CONTACT", "datenschutz@example.org")
    # Contact data and unredacted text of a report are deleted this long after it was closed
    # (`flask privacy purge`), as are rejected reports and sent mails.
    RETENTION_DAYS = _env_int("RETENTION_DAYS", 180)
    # Feedback on barriers (Erklärung zur Barrierefreiheit); the privacy contact if unset.
    ACCESSIBILITY_CONTACT = _env("ACCESSIBILITY_CONTACT", PRIVACY_CONTACT)
    # impressum.html, datenschutz.html, barrierefreiheit.html here replace the built-in texts.
    LEGAL_TEXT_DIR = _env("LEGAL_TEXT_DIR", str(BASE_DIR / "instance" / "legal"))
    OPERATOR_NAME = _env("OPERATOR_NAME", "Stadt Solingen (Demo)")


class TestConfig(Config):
    TESTING = True
    SQLALCHEMY_DATABASE_URI = _env("TEST_DATABASE_URL", _local_db("maengelmelder_test"))
    # tests/test_replica.py sets its own; the other tests read and write the primary.
    DATABASE_REPLICA_URL = ""
    # The limiter stays on (it is one object per process); tests get a limit they never reach,
    # and the rate-limit test lowers it.
    RATELIMIT_ENABLED = True
    RATELIMIT_REPORTS = "100000 per minute"
    RATELIMIT_EXPORTS = "100000 per minute"
    RATELIMIT_LOGIN = "100000 per minute"
    RATELIMIT_FOLLOW = "100000 per minute"
    RATELIMIT_INQUIRY = "100000 per minute"
    RATELIMIT_OPEN311_KEY = "100000 per minute"
    CITY_APP_APPLICATION_ID = "solingen-app-test"
    CITY_APP_CLIENT_KEY = "client-key-test"
    # Tests start their own SMTP server on loopback; without it mail goes nowhere.
    MAIL_SERVER = "127.0.0.1"
    MAIL_PORT = 1
    MAIL_TIMEOUT = 5
    SERVER_NAME = "localhost"
