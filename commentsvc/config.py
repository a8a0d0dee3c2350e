"""Typed configuration defaults and the layering described in DESIGN.md.

Order: these defaults, then ``instance/config.py``, then ``COMMENTSVC_<KEY>`` environment
variables (parsed as JSON where they parse), then a test mapping. No secret has a default.
"""

from __future__ import annotations

import os
from typing import Any

from flask import Flask

MODERATION_MODES = ("all", "first-time", "none")
LANGUAGES = ("sv", "en")


class Defaults:
    """Defaults for every key the service reads; overridden by the layers above."""

    SECRET_KEY: str | None = None
    DATABASE_URL: str | None = None  # None: SQLite file in the instance folder
    ALLOWED_ORIGINS: list[str] = []
    MODERATION = "first-time"
    MAX_DEPTH = 5
    MAX_LINKS = 2
    MODERATION_KEYS: list[str] = []
    DISALLOWED_KEYS: list[str] = []
    CLOSE_AFTER_DAYS = 0  # 0: threads never close by age
    EDIT_WINDOW_MINUTES = 15
    LANGUAGE = "sv"
    TIMEZONE = "Europe/Stockholm"  # how times are shown to readers
    LANGUAGE_FROM_BROWSER = False  # True: the reader's Accept-Language picks sv or en
    MIN_SUBMIT_SECONDS = 3
    NEWEST_FIRST = False
    COMMENTS_PER_PAGE = 50  # top-level comments per page of a thread
    DEMO = False  # serve the demo article at /
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    SMTP_HOST = "127.0.0.1"
    SMTP_PORT = 25
    SMTP_USER: str | None = None
    SMTP_PASSWORD: str | None = None
    SMTP_STARTTLS = False
    MAIL_FROM = "commentsvc@localhost"
    REMEMBER_COOKIE_DAYS = 365
    # The short privacy notice under every form (plain page, iframe, script embed).
    PRIVACY_NOTICE = ""  # empty: the built-in "Så behandlar vi dina personuppgifter" text
    PRIVACY_URL = ""  # where the full privacy policy is; empty: no link
    # Moderation.
    # The service's own address, e.g. https://kommentarer.example.se: the base of every
    # absolute link we hand out (avatars in JSON, feeds, mails), never the request's Host.
    # Required unless DEBUG or TESTING.
    PUBLIC_URL = ""
    RATELIMIT_COMMENTS = "5 per minute;30 per hour"  # per address, for posting comments
    # When Redis (RATELIMIT_STORAGE_URI) is down, keep serving with per-instance limits.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_FREE_FAILURES = 3  # failed logins per account and address before slowing down
    LOGIN_LOCK_FAILURES = 10  # ... before the pair account+address is locked
    LOGIN_ADDRESS_FAILURES = 50  # failed logins from one address, any account, before a lock
    LOGIN_LOCK_MINUTES = 15
    # Retention, applied by `flask --app commentsvc purge` (0: keep for ever).
    IP_RETENTION_DAYS = 0  # clear even the anonymized IP of comments older than this
    PURGE_AFTER_DAYS = 30  # delete spam and trash this long after the decision (as WordPress)
    OUTBOX_RETENTION_DAYS = 30  # delete mails this long after they were sent (0: keep)
    # Reader reports (notice and action): a published comment reported by this many different
    # readers is held for review until a moderator decides (0: never held automatically).
    REPORTS_TO_HOLD = 3
    DSA_CONTACT = ""  # the point of contact shown on the report page (an email or a web page)
    # Production. How many reverse proxies (load balancer, CDN edge...) stand in front
    # and add X-Forwarded-For/-Proto/-Host. 0: none, the headers are ignored, so a reader cannot
    # choose their own address for rate limits and the stored (anonymized) IP.
    TRUSTED_PROXIES = 0
    # Seconds a shared cache (CDN) may serve an anonymous thread read without asking again,
    # and how long after that it may serve the old copy while it fetches a new one.
    CACHE_MAX_AGE = 10
    CACHE_STALE_WHILE_REVALIDATE = 60
    # Anonymous answers (and thread parts) each worker keeps, never stale (readcache.py), and
    # the most memory the kept answers' bodies may take in a worker.
    THREAD_CACHE_ENTRIES = 128
    THREAD_CACHE_MEGABYTES = 8
    # New threads opened on first use: per address (Flask-Limiter's syntax), and for the site.
    RATELIMIT_NEW_ARTICLES = "10 per hour"
    MAX_NEW_ARTICLES_PER_DAY = 1000
    # The largest request body any route reads; larger ones get 413 before they are read.
    # The biggest honest form is the settings page's word lists, well under this.
    MAX_CONTENT_LENGTH = 1024 * 1024
    # Readers' notifications (notify/subscriptions.py): the sender's display name and the mails'
    # signature, and how long published comments are gathered into one mail (0: each goes
    # out with the next `send-mail` run).
    SITE_NAME = "Kommentarer"
    NOTIFY_BATCH_MINUTES = 10

    # Flask and extension settings that follow from ours.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {"pool_pre_ping": True}
    WTF_CSRF_TIME_LIMIT = (
        None  # a reader may write a long comment; the token lives with the session
    )
    BABEL_DEFAULT_LOCALE = "sv"
    COMPRESS_MIMETYPES = [
        "text/html",
        "text/css",
        "text/javascript",
        "application/javascript",
        "application/json",
        "application/atom+xml",
        "image/svg+xml",
    ]
    COMPRESS_ALGORITHM = ["br", "gzip"]  # what every browser and CDN takes
    # Brotli 5 is the first level smaller than gzip's default on /embed.js (5.8 against 6.2 kB,
    # about 2 ms for its 19 kB); 4, Flask-Compress's default, is larger than gzip.
    COMPRESS_BR_LEVEL = 5


class ConfigError(RuntimeError):
    """The configuration cannot start a safe service."""


def load_config(app: Flask, test_config: dict[str, Any] | None) -> None:
    """Fill ``app.config`` from the layers, then derive and check the result."""
    app.config.from_object(Defaults)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("COMMENTSVC")
    if test_config:
        app.config.update(test_config)
    _derive(app)
    _check(app)


def _derive(app: Flask) -> None:
    config = app.config
    url = config["DATABASE_URL"] or "sqlite:///" + os.path.join(app.instance_path, "commentsvc.db")
    config["SQLALCHEMY_DATABASE_URI"] = with_driver(url)
    if config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        # A database host that does not answer fails the request in seconds (503)
        # instead of holding a worker until gunicorn kills it.
        options = dict(config["SQLALCHEMY_ENGINE_OPTIONS"])
        options["connect_args"] = {"connect_timeout": 5, **options.get("connect_args", {})}
        config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    config["BABEL_DEFAULT_LOCALE"] = config["LANGUAGE"]
    config["BABEL_DEFAULT_TIMEZONE"] = config["TIMEZONE"]
    config["ALLOWED_ORIGINS"] = [o.rstrip("/") for o in _as_list(config["ALLOWED_ORIGINS"])]
    config["PUBLIC_URL"] = (config["PUBLIC_URL"] or "").strip().rstrip("/")
    for key in ("MODERATION_KEYS", "DISALLOWED_KEYS"):
        config[key] = [w.strip() for w in _as_list(config[key]) if w.strip()]


def with_driver(url: str) -> str:
    """PostgreSQL URLs as people write them ("postgres://", "postgresql://") use psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _as_list(value: Any) -> list[str]:
    """Accept a list, or a string of items separated by commas or new lines."""
    if isinstance(value, str):
        return [part.strip() for part in value.replace(",", "\n").splitlines() if part.strip()]
    return list(value or [])


def _check(app: Flask) -> None:
    config = app.config
    if not config["SECRET_KEY"]:
        raise ConfigError(
            "SECRET_KEY is not set. Put it in instance/config.py or COMMENTSVC_SECRET_KEY; "
            "`make run` writes a random one for local use."
        )
    if config["MODERATION"] not in MODERATION_MODES:
        raise ConfigError(f"MODERATION must be one of {', '.join(MODERATION_MODES)}")
    if config["LANGUAGE"] not in LANGUAGES:
        raise ConfigError(f"LANGUAGE must be one of {', '.join(LANGUAGES)}")
    for key in (
        "MAX_DEPTH",
        "MAX_LINKS",
        "CLOSE_AFTER_DAYS",
        "EDIT_WINDOW_MINUTES",
        "IP_RETENTION_DAYS",
        "PURGE_AFTER_DAYS",
        "OUTBOX_RETENTION_DAYS",
        "REPORTS_TO_HOLD",
        "TRUSTED_PROXIES",
        "CACHE_MAX_AGE",
        "CACHE_STALE_WHILE_REVALIDATE",
        "THREAD_CACHE_ENTRIES",
        "THREAD_CACHE_MEGABYTES",
        "MAX_NEW_ARTICLES_PER_DAY",
        "MAX_CONTENT_LENGTH",
        "NOTIFY_BATCH_MINUTES",
    ):
        if not isinstance(config[key], int) or config[key] < 0:
            raise ConfigError(f"{key} must be a whole number, 0 or more")
    _check_public_url(config)
    if config["MAX_DEPTH"] < 1:
        raise ConfigError("MAX_DEPTH must be at least 1")


def _check_public_url(config) -> None:
    from commentsvc.weburls import BadWebUrl, clean_web_url

    url = config["PUBLIC_URL"]
    if not url:
        if config["DEBUG"] or config["TESTING"]:
            return  # our own links are then relative (weburls.public_url)
        raise ConfigError(
            "PUBLIC_URL is not set. Set it to the address readers use for this service, e.g. "
            "COMMENTSVC_PUBLIC_URL=https://kommentarer.example.se: links in the JSON API, "
            "feeds and mails are built from it, never from the request's Host header. "
            "(`make run` sets it for the local demo.)"
        )
    try:
        clean_web_url(url, limit=200, bare_domain=False)
    except BadWebUrl as error:
        raise ConfigError(f"PUBLIC_URL {url!r} is not an http(s) address") from error
