"""Configuration defaults and the layering that applies on top of them.

Order (later wins): these defaults, ``instance/config.py``, ``SCHEDULER_*`` environment
variables, then the ``test_config`` mapping handed to :func:`scheduler.create_app`.
Nothing here holds a secret: the secret key comes from the instance folder or the environment.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask

from scheduler.dbfaults import bounded_engine_options
from scheduler.secretbox import ensure_secrets_key

SECRET_KEY_FILE = "secret_key"  # noqa: S105  (a file name, not a secret)


class DefaultConfig:
    """Safe defaults for a local, single-process installation."""

    # "development" or "production"; production refuses to run without a configured secret key.
    ENV = "development"
    # Relative SQLite paths resolve under the instance folder.
    DATABASE_URL = "sqlite:///accompany.sqlite3"
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {"pool_pre_ping": True}
    # Bounded waits (scheduler/dbfaults.py, docs/security.md "When something fails"), in seconds.
    # Kept below gunicorn's worker timeout (gunicorn.conf.py): a request that meets a held lock
    # or an unreachable database answers "try again" instead of being killed as a hung worker.
    DB_CONNECT_TIMEOUT = 3  # opening a connection (PostgreSQL; whole seconds, at least 2)
    DB_LOCK_TIMEOUT = 3  # waiting for a row lock (PostgreSQL) or the write lock (SQLite busy timeout)
    DB_STATEMENT_TIMEOUT = 15  # any one statement (PostgreSQL)
    # Retry-After sent with the 503 while the database cannot be reached, and after a busy lock.
    DB_UNAVAILABLE_RETRY_AFTER = 60
    DB_BUSY_RETRY_AFTER = 5
    # The public address, used in links that leave the app (emails, feeds, calendar events).
    # Required in production. Unset in development: links follow the address actually served,
    # and the worker and CLI use DEV_BASE_URL (http://127.0.0.1:$PORT) (scheduler/urls.py).
    BASE_URL = ""
    # The domain part of calendar UIDs. Empty: the installation's own random name, kept in the
    # database (scheduler/installation.py), so changing BASE_URL keeps every UID.
    UID_DOMAIN = ""
    # Key of the feed-link HMAC (scheduler/feeds/tokens.py). Empty: derived from SECRET_KEY.
    FEED_TOKEN_KEY = ""

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False
    REMEMBER_COOKIE_DURATION = 60 * 60 * 24 * 30
    WTF_CSRF_TIME_LIMIT = 60 * 60 * 8
    MAX_CONTENT_LENGTH = 8 * 1024 * 1024

    # Flask-Limiter: memory by default, e.g. redis://127.0.0.1:6379/0 for several workers.
    RATELIMIT_STORAGE_URL = "memory://"
    RATELIMIT_ENABLED = True
    # While the shared store (Redis) is away, each worker counts in its own memory, logs one
    # warning, and goes back to the store once it answers again (checked with a growing backoff).
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    # Seconds to wait for the store before counting in memory instead (a dead host must not hang).
    RATELIMIT_STORAGE_TIMEOUT = 0.5
    # Reverse proxies in front of the app (nginx: 1). Their X-Forwarded-For gives the client
    # address that per-address limits count (scheduler/web/proxy.py); 0 ignores the header.
    TRUSTED_PROXIES = 0
    LOGIN_RATE_LIMIT = "10 per minute;50 per hour"
    # Per submitted email, whatever the address: slows credential stuffing spread over many IPs.
    LOGIN_EMAIL_RATE_LIMIT = "20 per hour"
    RESET_RATE_LIMIT = "5 per 15 minutes"

    PASSWORD_MIN_LENGTH = 10
    PASSWORD_RESET_MAX_AGE_MINUTES = 60

    # "console" prints messages (development); "memory" keeps them (tests); "smtp" sends them.
    MAIL_BACKEND = "console"
    MAIL_FROM = "Accompany <no-reply@localhost>"
    # "smtp" delivers through this server. Security: "starttls", "tls" (implicit) or "none".
    MAIL_SMTP_HOST = "localhost"
    MAIL_SMTP_PORT = 587
    MAIL_SMTP_SECURITY = "starttls"
    MAIL_SMTP_USERNAME = ""
    MAIL_SMTP_PASSWORD = ""
    MAIL_SMTP_TIMEOUT = 30
    # The outbox worker (flask outbox run): messages per claim, seconds between rounds,
    # attempts before a message is marked failed, and minutes before a claimed row is retried.
    OUTBOX_BATCH_SIZE = 50
    OUTBOX_POLL_SECONDS = 10
    # Between full rounds the worker checks this often for alerts (two indexed lookups) and
    # hands them over at once: click to hand-over stays within seconds (bench/alerts.py).
    OUTBOX_URGENT_POLL_SECONDS = 0.5
    OUTBOX_MAX_ATTEMPTS = 10
    OUTBOX_LEASE_MINUTES = 10
    # Channels besides email (scheduler/notifications/channels); each is offered once configured.
    # SMS through Twilio's Messages API; TWILIO_API_BASE is changed only to test against a fake.
    TWILIO_ACCOUNT_SID = ""
    TWILIO_AUTH_TOKEN = ""
    TWILIO_FROM = ""
    TWILIO_API_BASE = "https://api.twilio.com"
    # Signal through signal-cli's HTTP JSON-RPC (signal-cli daemon --http=127.0.0.1:8080).
    SIGNAL_CLI_URL = ""
    SIGNAL_NUMBER = ""
    # Web Push: make keys with `flask --app wsgi push generate-vapid-keys`.
    VAPID_PRIVATE_KEY = ""
    VAPID_PUBLIC_KEY = ""
    VAPID_SUBJECT = ""
    # One HTTP send: tries within the call (429/5xx), the longest wait between them, seconds to answer.
    CHANNEL_HTTP_TRIES = 3
    CHANNEL_HTTP_MAX_DELAY = 4.0
    CHANNEL_HTTP_TIMEOUT = 10.0
    # Numbers typed without a country code are read as numbers of this region.
    PHONE_DEFAULT_REGION = "US"
    # Verification codes sent by SMS: minutes valid, wrong tries allowed.
    PHONE_CODE_MINUTES = 10
    PHONE_CODE_ATTEMPTS = 5
    # Adding a number sends an SMS (it costs money): at most this often per address.
    PHONE_RATE_LIMIT = "5 per hour"
    # Default reminder times, in hours before a seat; each person can change theirs.
    REMINDER_HOURS = [24, 2]
    # Local hour (in BABEL_DEFAULT_TIMEZONE) after which the coordinators' daily digest goes out.
    DIGEST_HOUR = 7
    # Days an invitation's accept/decline link stays valid.
    INVITATION_LINK_MAX_AGE_DAYS = 7
    # Rapid response (scheduler/response): minutes an alert waits for an acknowledgement before
    # the next tier is reached, hours an acknowledgement link works, and how many people are
    # invited at once to a seat freed on the day ("Can't make it") when nobody waits for it.
    ESCALATION_MINUTES = 3
    ACK_LINK_HOURS = 12
    CHECKIN_INVITES = 5

    LANGUAGES = ("en", "es")
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"

    PAGE_SIZE = 50
    # The volunteer's open-seat list: a few phone screens per page, grouped by day.
    OPEN_SEATS_PAGE_SIZE = 12
    # Where an uploaded hearings CSV waits between preview and commit; blank: <instance>/hearing-imports.
    HEARING_IMPORT_DIR = ""

    # Calendar feeds (scheduler/feeds): polls per feed token, and unknown tokens per address
    # (only misses count there: calendars behind one address must not share an allowance).
    FEED_RATE_LIMIT_TOKEN = "60 per hour"  # noqa: S105  (a rate, not a secret)
    FEED_RATE_LIMIT_ADDRESS = "300 per hour"
    # The JSON API (scheduler/api): requests per token (per client address without a token).
    API_RATE_LIMIT = "120 per minute;3000 per hour"
    FEED_PAST_DAYS = 90  # past commitments kept in a feed
    FEED_CANCELLED_DAYS = 30  # a dropped seat or cancelled hearing shows as cancelled this long
    # Each worker keeps every feed's ETag in memory while the change journal shows nothing new
    # (scheduler/feeds/stamps.py): at most this long, for at most this many feeds. The ETags are
    # shared with other workers and restarts (scheduler/feeds/stampstore.py) for as long.
    FEED_STAMP_CACHE_SECONDS = 3600
    FEED_STAMP_CACHE_SIZE = 100_000
    # Check every reused ETag against a fresh one and fail loudly on a difference (tests).
    FEED_STAMP_VERIFY = False
    # Change-journal rows older than this are removed by the daily purge.
    FEED_CHANGES_KEEP_HOURS = 48
    # Rendered calendar events and feed ETags shared by every worker and kept across restarts
    # (scheduler/feeds/eventcache.py, stampstore.py): in Redis at this URL (e.g.
    # redis://127.0.0.1:6379/1), else (empty, or while Redis does not answer) in the
    # feed_event_cache and feed_stamp_cache tables.
    FEED_CACHE_URL = ""
    # Seconds to wait for that Redis before using the table (a dead host must not hang a feed).
    FEED_CACHE_TIMEOUT = 0.25
    # Entries live at most this long (Redis expiry; the daily purge for the table), besides
    # the purge of events that are gone or have a newer revision.
    FEED_CACHE_KEEP_DAYS = 30

    # Claiming seats (scheduler/shifts). Minutes needed between seats at two different courts.
    TRAVEL_BUFFER_MINUTES = 60
    # Giving up a seat later than this many hours before it starts needs a reason and alerts
    # coordinators; open hand-over offers turn into such a drop at the same moment.
    DROP_CUTOFF_HOURS = 24
    # Training keys (scheduler/domain/trainings.py) each role needs before claiming; none by default.
    REQUIRED_TRAININGS: dict[str, list[str]] = {
        "accompanier": [],
        "interpreter": [],
        "driver": [],
        "observer": [],
    }

    # Matching (scheduler/matching). Weights of the score's parts, strongest first: continuity
    # (went with the same person before) outweighs the others together by default.
    MATCH_WEIGHTS: dict[str, float] = {
        "continuity": 100,
        "language": 40,
        "preferred_court": 20,
        "fairness": 15,
        "reliability": 10,
        "experience": 10,
    }
    # How many suggested volunteers a shift page shows.
    MATCH_SUGGESTIONS = 10
    # Fill the gaps: seconds the whole plan may take. The candidate search stops at 3/4 of it
    # (seats not reached are left for later); the optimiser gets the rest, then greedy's plan.
    PLAN_TIME_LIMIT_SECONDS = 10.0
    # Best-scoring candidates per shift the optimiser considers (at least three per open seat).
    PLAN_CANDIDATES_PER_SHIFT = 25

    # Security (scheduler/twofactor, scheduler/sessions.py, docs/security.md).
    # Coordinators and admins must use a second factor (TOTP); admins can require it of everyone.
    REQUIRE_2FA_FOR_STAFF = True
    TWO_FACTOR_ISSUER = "Accompany"
    # Minutes between the password step and the code before the half-done sign-in expires.
    TWO_FACTOR_PENDING_MINUTES = 10
    TWO_FACTOR_RATE_LIMIT = "10 per 5 minutes;30 per hour"
    # Fernet key(s) that encrypt stored TOTP secrets, newest first (a list, or comma-separated in
    # SCHEDULER_SECRETS_KEY). Blank in development: one is made in instance/secrets_key.
    # Production refuses to start without it. Rotation: docs/security.md.
    SECRETS_KEY: list[str] | str = ""
    # Signed out after this long without a request. Staff get no "keep me signed in" cookie.
    IDLE_TIMEOUT_COORDINATOR_MINUTES = 60
    IDLE_TIMEOUT_VOLUNTEER_MINUTES = 60 * 24 * 3
    # Retention (flask --app wsgi purge, and the worker daily): private hearing details older
    # than this are wiped; accounts never approved are removed after PENDING_ACCOUNT_DAYS.
    RETENTION_HEARING_DAYS = 90
    RETENTION_PENDING_ACCOUNT_DAYS = 60
    # Extra script/style sources for the Content-Security-Policy (none needed by the app).
    CSP_EXTRA: dict[str, list[str]] = {}


def load_config(app: Flask, test_config: dict[str, Any] | None) -> None:
    """Apply the configuration layers in order and derive the library-specific keys."""
    app.config.from_object(DefaultConfig)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("SCHEDULER")
    if test_config:
        app.config.update(test_config)

    app.config["SQLALCHEMY_DATABASE_URI"] = app.config["DATABASE_URL"]
    app.config["RATELIMIT_STORAGE_URI"] = app.config["RATELIMIT_STORAGE_URL"]
    _bound_fault_waits(app)

    production = app.config["ENV"] == "production"
    if production:
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
    _ensure_secret_key(app, production=production)
    # TOTP secrets are stored encrypted with this key (scheduler/secretbox.py).
    app.extensions["secret_box"] = ensure_secrets_key(
        app.config, instance_path=app.instance_path, production=production
    )
    _check_base_url(app, production=production)


def _bound_fault_waits(app: Flask) -> None:
    """Timeouts for the database and the rate-limit store (docs/security.md "When something fails")."""
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = bounded_engine_options(app.config)
    if app.config["RATELIMIT_STORAGE_URI"].startswith(("redis://", "rediss://", "redis+unix://")):
        timeout = app.config["RATELIMIT_STORAGE_TIMEOUT"]
        options = {"socket_connect_timeout": timeout, "socket_timeout": timeout}
        configured = app.config.get("RATELIMIT_STORAGE_OPTIONS") or {}
        app.config["RATELIMIT_STORAGE_OPTIONS"] = {**options, **configured}


def _check_base_url(app: Flask, *, production: bool) -> None:
    """Production links must not depend on a request's Host header: BASE_URL is required there."""
    if production and not app.config.get("BASE_URL"):
        raise RuntimeError(
            "BASE_URL is not configured. Set SCHEDULER_BASE_URL (e.g. https://accompany.example.org) "
            "before starting in production."
        )
    if not app.config.get("DEV_BASE_URL"):
        app.config["DEV_BASE_URL"] = f"http://127.0.0.1:{os.environ.get('PORT') or 5000}"


def _ensure_secret_key(app: Flask, *, production: bool) -> None:
    """Use the configured key, else the one saved in the instance folder, else make one.

    A fixed default key would let anyone forge sessions, so there is none. Production must be
    given a key explicitly: a key generated on one worker would not match the others.
    """
    if app.config.get("SECRET_KEY"):
        return
    if production:
        raise RuntimeError(
            "SECRET_KEY is not configured. Set SCHEDULER_SECRET_KEY or SECRET_KEY in "
            "instance/config.py before starting in production."
        )
    path = Path(app.instance_path) / SECRET_KEY_FILE
    if path.exists():
        app.config["SECRET_KEY"] = path.read_text().strip()
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key + "\n")
    app.config["SECRET_KEY"] = key
