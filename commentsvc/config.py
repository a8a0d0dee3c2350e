"""The configuration's layers (DESIGN.md) and its check at start.

Order: the declared defaults (``setting_specs.py``), then ``instance/config.py``, then
``COMMENTSVC_<KEY>`` environment variables (parsed as JSON where they parse), then a test
mapping. Every declared key is then checked by its declaration, and the service does not start
on a value it cannot use. No secret has a default.
"""

from __future__ import annotations

import copy
import ipaddress
import os
from typing import Any
from urllib.parse import urlsplit

import click
from flask import Flask

from commentsvc.setting_specs import SETTINGS
from commentsvc.setting_types import SettingInvalid

# Flask's and the extensions' own keys, set to what follows from ours; the libraries check them.
FRAMEWORK_DEFAULTS: dict[str, Any] = {
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    # A reader may write a long comment; the token lives with the session.
    "WTF_CSRF_TIME_LIMIT": None,
    # Flask-WTF's own https Referer check compares with the Host header, which a proxy may
    # forward without its port; web/security.py checks against PUBLIC_URL instead.
    "WTF_CSRF_SSL_STRICT": False,
    "BABEL_DEFAULT_LOCALE": "sv",
    "COMPRESS_MIMETYPES": [
        "text/html",
        "text/css",
        "text/javascript",
        "application/javascript",
        "application/json",
        "application/atom+xml",
        "image/svg+xml",
    ],
    "COMPRESS_ALGORITHM": ["br", "gzip"],  # what every browser and CDN takes
    # Brotli 5 is the first level smaller than gzip's default on /embed.js (5.8 against 6.2 kB,
    # about 2 ms for its 19 kB); 4, Flask-Compress's default, is larger than gzip.
    "COMPRESS_BR_LEVEL": 5,
}


def defaults() -> dict[str, Any]:
    """Every declared setting's default (setting_specs.py), then the framework's keys."""
    declared = {spec.key: copy.deepcopy(spec.default) for spec in SETTINGS}
    return {**declared, **copy.deepcopy(FRAMEWORK_DEFAULTS)}


class ConfigError(click.ClickException, RuntimeError):
    """The configuration cannot start a safe service.

    A ClickException, so that ``flask`` and the ``commentsvc`` script, whose group builds the
    app, print it as one line on stderr (``Error: …``, exit 1) instead of a traceback; gunicorn
    workers go through ``commentsvc.wsgi``, which does the same. The message names the key and
    what to do, never the value (it may be a secret).
    """


def load_config(app: Flask, test_config: dict[str, Any] | None) -> None:
    """Fill ``app.config`` from the layers, then check the result and derive from it."""
    app.config.from_mapping(defaults())
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("COMMENTSVC")
    if test_config:
        app.config.update(test_config)
    _check(app)
    _derive(app)


def _derive(app: Flask) -> None:
    config = app.config
    url = config["DATABASE_URL"] or "sqlite:///" + os.path.join(app.instance_path, "commentsvc.db")
    config["SQLALCHEMY_DATABASE_URI"] = with_driver(url)
    if config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        # A database host that does not answer fails the request in seconds (503) instead of
        # holding a worker until gunicorn kills it.
        options = dict(config["SQLALCHEMY_ENGINE_OPTIONS"])
        options["connect_args"] = {"connect_timeout": 5, **options.get("connect_args", {})}
        config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    config["BABEL_DEFAULT_LOCALE"] = config["LANGUAGE"]
    config["BABEL_DEFAULT_TIMEZONE"] = config["TIMEZONE"]


def with_driver(url: str) -> str:
    """PostgreSQL URLs as people write them ("postgres://", "postgresql://") use psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _check(app: Flask) -> None:
    """Each declared key as its declaration takes it (lists cleaned), or ConfigError."""
    config = app.config
    if not config["SECRET_KEY"]:
        raise ConfigError(
            "SECRET_KEY is not set. Put it in instance/config.py or COMMENTSVC_SECRET_KEY; "
            "`make run` writes a random one for local use."
        )
    for spec in SETTINGS:
        try:
            config[spec.key] = spec.check(config[spec.key])
        except SettingInvalid as error:
            # The value itself is not repeated: it may be a secret, and logs keep this line.
            raise ConfigError(f"{spec.key}: {error.message}") from None
    config["PUBLIC_URL"] = config["PUBLIC_URL"].strip().rstrip("/")
    _check_public_url(config)
    _check_mail_for_reports(config)


# The sender of a development checkout: no real server takes mail from it, nobody can answer it.
DEVELOPMENT_SENDER_DOMAIN = "localhost"


def in_development(config) -> bool:
    """DEBUG, TESTING, or a service only this machine can reach (PUBLIC_URL on loopback, as
    ``make run`` serves the demo): nobody else can read, report, or be written to."""
    if config["DEBUG"] or config["TESTING"]:
        return True
    host = urlsplit(config["PUBLIC_URL"]).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_mail_for_reports(config) -> None:
    """Readers' reports are always open (notice and action, DSA articles 16 and 17): their
    receipts and statements of reasons are mailed, and must come from a real sender and name
    a point of contact, or they go from ``commentsvc@localhost`` to nowhere."""
    if in_development(config):
        return
    sender = config["MAIL_FROM"] or ""
    missing = []
    if not sender or sender.rpartition("@")[2].lower() == DEVELOPMENT_SENDER_DOMAIN:
        missing.append("MAIL_FROM")
    if not config["DSA_CONTACT"]:
        missing.append("DSA_CONTACT")
    if missing:
        raise ConfigError(
            f"{' and '.join(missing)} must be set outside development: readers' reports are "
            "always open, and their receipts and statements of reasons are mailed from "
            "MAIL_FROM and name DSA_CONTACT as the point of contact. Set e.g. "
            "COMMENTSVC_MAIL_FROM=kommentarer@example.se and "
            "COMMENTSVC_DSA_CONTACT=kommentarer@example.se (see Deploy in docs/operating.md)."
        )


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
