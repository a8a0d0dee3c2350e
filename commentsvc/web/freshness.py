"""How a worker knows that the database changed, without asking it on every read.

``watcher_for(engine).generation()`` is a value that changes whenever any connection of any
worker, instance or command has committed a change since; it is ``None`` when the watcher
cannot tell, and then every read must ask the database (readcache.py does).

- SQLite: ``PRAGMA data_version`` on a connection kept for the purpose. SQLite changes it
  when another connection commits (the file's change counter, in shared memory under WAL), so
  reading it touches no table and takes about a microsecond.
- PostgreSQL: a connection per worker that ``LISTEN``s on ``commentsvc``. The database sends
  the ``NOTIFY`` itself, from a statement trigger on ``article`` (migration 0012), inside the
  writing transaction: delivered when it commits, never when it rolls back, whatever wrote
  (this service, a command, a script that follows the rule for raw SQL in docs/operating.md).
  The listener pings every few seconds; while it is not connected, ``generation()`` is
  ``None``; when it is back, the generation moves, so the worker asks again once for
  everything it keeps.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from typing import Protocol

from sqlalchemy import Engine

CHANNEL = "commentsvc"
log = logging.getLogger(__name__)


class Watcher(Protocol):
    def generation(self) -> int | None: ...

    def close(self) -> None: ...


class SQLiteWatcher:
    def __init__(self, path: str):
        self.path = path
        self._connection: sqlite3.Connection | None = None
        self._pid = 0
        self._lock = threading.Lock()

    def generation(self) -> int | None:
        with self._lock:
            try:
                if self._connection is None or self._pid != os.getpid():
                    # Never creating the file (mode=rw); autocommit, so that it never
                    # holds a read transaction open (which would freeze data_version).
                    self._connection = sqlite3.connect(
                        f"file:{self.path}?mode=rw", uri=True, isolation_level=None,
                        check_same_thread=False,
                    )  # fmt: skip
                    self._pid = os.getpid()
                return self._connection.execute("PRAGMA data_version").fetchone()[0]
            except sqlite3.Error as error:
                log.warning("cannot watch %s for changes: %s", self.path, error)
                self._connection = None
                return None

    def close(self) -> None:
        """Let the file go (the engine was disposed); the next read opens it again."""
        with self._lock:
            if self._connection is not None:
                self._connection.close()
            self._connection = None


class PostgresWatcher:
    def __init__(self, conninfo: str, *, ping_seconds: float = 5.0, retry_seconds: float = 1.0):
        self.conninfo = conninfo
        self.ping_seconds = ping_seconds
        self.retry_seconds = retry_seconds
        self._generation = 0
        self._listening = False
        self._pid = 0
        self._lock = threading.Lock()
        self._first_try = threading.Event()

    def generation(self) -> int | None:
        if self._pid != os.getpid():
            self._start()
        return self._generation if self._listening else None

    def close(self) -> None:
        """The listener serves every app of the process on this database: it stays."""

    def _start(self) -> None:
        with self._lock:
            if self._pid == os.getpid():
                return
            self._pid, self._listening = os.getpid(), False
            self._first_try.clear()
            threading.Thread(target=self._listen, name="commentsvc-listen", daemon=True).start()
        # A worker's first read waits for the listener's first try (a few ms), so that it does
        # not start out asking the database for every read.
        self._first_try.wait(timeout=2 * self.ping_seconds)

    def _listen(self) -> None:
        import psycopg  # the PostgreSQL extra; only a worker on PostgreSQL gets here

        while True:
            try:
                with psycopg.connect(
                    self.conninfo, autocommit=True, connect_timeout=5,
                    tcp_user_timeout=int(self.ping_seconds * 1000),
                ) as connection:  # fmt: skip
                    connection.execute(f"LISTEN {CHANNEL}")
                    # Whatever was committed before LISTEN is asked for once more.
                    self._generation += 1
                    self._listening = True
                    self._first_try.set()
                    log.info("listening for changes of the database")
                    while True:
                        for _ in connection.notifies(timeout=self.ping_seconds):
                            self._generation += 1
                        connection.execute("SELECT 1")  # notices a connection cut quietly
            except Exception as error:  # any failure: ask the database until we listen again
                if self._listening:
                    log.warning("lost the connection that listens for changes: %s", error)
            self._listening = False
            self._generation += 1
            self._first_try.set()
            time.sleep(self.retry_seconds)


_listeners: dict[str, PostgresWatcher] = {}
_listeners_lock = threading.Lock()


def watcher_for(engine: Engine) -> Watcher | None:
    """A watcher of the engine's database; None when it cannot be watched.

    SQLite: one per app (a kept connection, no thread). PostgreSQL: one listener per database
    and process, however many apps (tests make hundreds)."""
    url = engine.url
    if url.get_backend_name() == "sqlite":
        path = url.database or ""
        if not path or path == ":memory:" or "mode=memory" in path:
            return None  # each connection its own database: nothing to watch
        return SQLiteWatcher(os.path.abspath(path))
    if url.get_backend_name() == "postgresql":
        conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
        with _listeners_lock:
            if conninfo not in _listeners:
                _listeners[conninfo] = PostgresWatcher(conninfo)
            return _listeners[conninfo]
    return None
