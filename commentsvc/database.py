"""Engine settings: SQLite as a safe embedded default; no connection kept in doubt."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask
from sqlalchemy import Engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger(__name__)


def configure_engine(engine: Engine) -> None:
    """A connection whose BEGIN, COMMIT or ROLLBACK failed is closed, never reused.

    On SQLite also: WAL journal (readers never wait for the writer), foreign keys, busy
    timeout.
    """

    @event.listens_for(engine, "handle_error")
    def _close_connections_in_doubt(context):
        # The driver's own begin, commit and rollback are the calls without a statement or an
        # execution. When one fails, nobody knows whether the connection still holds its
        # transaction (and its locks): SQLAlchemy closes it as it would a lost one, and keeps
        # the rest of the pool.
        transaction_call = context.statement is None and context.execution_context is None
        if context.connection is not None and transaction_call:
            if not context.is_disconnect:
                context.invalidate_pool_on_disconnect = False
            context.is_disconnect = True

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
        # SQLite's lower() folds ASCII only ("Öppet" stays "Öppet"): searches that must find
        # Swedish titles whatever their case ask for casefold() (PostgreSQL's lower() does).
        dbapi_connection.create_function("casefold", 1, _casefold, deterministic=True)


def _casefold(value: str | None) -> str | None:
    return value.casefold() if isinstance(value, str) else value


def end_sessions_quietly(app: Flask) -> None:
    """End each request's session before Flask-SQLAlchemy does, and let a failed ROLLBACK go.

    The answer has been made when the session ends. A connection that the database dropped
    just then fails its ROLLBACK; SQLAlchemy throws that connection away, and the reader must
    not get an error (or a broken connection) for it. Teardowns run last-registered first, so
    this runs before Flask-SQLAlchemy's own, which then finds nothing left to end.
    """
    from commentsvc.extensions import db

    @app.teardown_appcontext
    def _end_session(error=None):
        try:
            db.session.remove()
        except SQLAlchemyError as failure:
            log.warning("ending the session failed; its connection is discarded: %s", failure)


def upsert_insert(bind: Any, table: Any):
    """An ``INSERT`` for ``table`` that can say what to do with a row already there
    (``on_conflict_do_nothing``, ``on_conflict_do_update``): one statement, so concurrent
    writers of one key neither fail on the unique key nor count twice. SQLite and PostgreSQL
    spell it alike; SQLAlchemy has it per dialect."""
    # ``bind``: a session (scoped or not), a connection or an engine.
    engine = bind.get_bind() if hasattr(bind, "get_bind") else bind
    dialect = engine.dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"no INSERT ... ON CONFLICT for {dialect}")
