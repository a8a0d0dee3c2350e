"""What running for real needs beyond a test: the client's address behind proxies, and a
database the service can write to, checked at start rather than at the first comment."""

from __future__ import annotations

import os
import sqlite3

from flask import Flask
from sqlalchemy.engine import make_url
from werkzeug.middleware.proxy_fix import ProxyFix

from commentsvc.config import ConfigError


def trust_proxies(app: Flask) -> None:
    """Take the client's address from ``X-Forwarded-For`` only when proxies are configured.

    With ``TRUSTED_PROXIES = n`` the n-th address from the right is the client (each proxy
    appends the address it saw); what a reader writes into the header themselves sits further
    left and is ignored. With 0 the header is not read at all: ``remote_addr`` is the peer.
    """
    proxies = app.config["TRUSTED_PROXIES"]
    if proxies:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies
        )


def sqlite_path(database_uri: str) -> str | None:
    """The file of a SQLite database URI, or None for other engines and in-memory databases."""
    url = make_url(database_uri)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return url.database


def check_sqlite_writable(app: Flask) -> None:
    """Refuse to start on a SQLite file the service cannot write (read-only disk or rights).

    Without this the service would start, show threads, and fail at the first comment. The
    probe takes SQLite's write lock and gives it back, which is what a comment will need; it
    also needs the folder writable, since WAL mode keeps ``-wal`` and ``-shm`` files beside it.
    """
    path = sqlite_path(app.config["SQLALCHEMY_DATABASE_URI"])
    if path is None:
        return
    folder = os.path.dirname(os.path.abspath(path))
    problem = None
    if not os.path.isdir(folder):
        problem = "its folder does not exist"
    else:
        try:
            connection = sqlite3.connect(path, timeout=10)
            try:
                connection.execute("PRAGMA journal_mode=WAL")
                connection.execute("BEGIN IMMEDIATE")
                connection.execute("ROLLBACK")
            finally:
                connection.close()
        except sqlite3.Error as error:
            problem = str(error)
    if problem:
        raise ConfigError(
            f"The SQLite database {path} cannot be written ({problem}). The service's user "
            f"must be able to write the file and its folder {folder} (SQLite keeps -wal and "
            "-shm files beside it), on a disk that is not mounted read-only; or set "
            "DATABASE_URL to a writable place."
        )
