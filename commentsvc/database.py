"""Engine settings that make SQLite a safe embedded default."""

from __future__ import annotations

import logging

from flask import Flask
from sqlalchemy import Engine, event
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger(__name__)


def configure_engine(engine: Engine) -> None:
    """On SQLite: WAL journal (readers never wait for the writer), foreign keys, busy timeout."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, connection_record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        # Several worker processes share the file: wait for a writer instead of failing.
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def end_sessions_quietly(app: Flask) -> None:
    """End each request's session before Flask-SQLAlchemy does, and let a failed ROLLBACK go.

    The answer has been made when the session ends. A connection that the database dropped
    just then fails its ROLLBACK; SQLAlchemy throws that connection away, and the reader must
    not get an error (or a broken connection) for it. Teardowns run last-registered first, so
    this runs before Flask-SQLAlchemy's own, which then finds nothing left to end.
    """
    from .extensions import db

    @app.teardown_appcontext
    def _end_session(error=None):
        try:
            db.session.remove()
        except SQLAlchemyError as failure:
            log.warning("ending the session failed; its connection is discarded: %s", failure)
