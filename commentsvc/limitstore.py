"""``database://``: the rate limits' counters in the service's own database (``DATABASE_URL``).

The default storage. Flask-Limiter's ``memory://`` counts in each worker process alone, so
gunicorn's workers each gave a reader the whole budget (2 workers took 9 comments a minute
against a limit of 5). The database is what every worker of a machine, and every instance on
one PostgreSQL, already shares; Redis stays the faster choice for many instances.

A ``limits`` storage for the fixed-window strategy (Flask-Limiter's default): one row per
window (``RateLimitCounter``), counted by one ``INSERT ... ON CONFLICT DO UPDATE ...
RETURNING`` statement, so parallel requests never read the same count. Each call is its own
short transaction, on a small pool of its own: a count stays when the request fails and rolls
back, and a request that holds its session's connection never waits on itself for another.
Windows that ran out are reused by the next hit of the same key, and deleted by ``purge``.
"""

from __future__ import annotations

import threading
import time

from flask import current_app
from limits.storage import Storage
from sqlalchemy import Engine, case, create_engine, delete, select, text
from sqlalchemy.exc import SQLAlchemyError

from commentsvc.database import configure_engine, upsert_insert
from commentsvc.extensions import db
from commentsvc.models.limits import RateLimitCounter


class DatabaseStorage(Storage):
    """Rate limit counters in the current app's database (``RATELIMIT_STORAGE_URI=database://``).

    Made by Flask-Limiter for one app; used inside that app's requests (or app context).
    """

    STORAGE_SCHEME = ["database"]
    # Each count takes a connection for one statement: two (and two more at a peak) serve a
    # worker's threads. PostgreSQL's max_connections must leave room for them (operating.md).
    POOL = {"pool_size": 2, "max_overflow": 2}

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._engine: Engine | None = None
        self._making = threading.Lock()

    @property
    def engine(self) -> Engine:
        """The app's database through a pool of the storage's own, made at the first count (in
        the worker, after gunicorn's fork).

        Not the app's pool: a request holds its session's connection while it is limited, and
        with a pool as small as the threads (``pool_size`` = ``GUNICORN_THREADS``, as
        operating.md suggests) every thread would wait for a connection that none gives back.
        """
        if self._engine is None:
            with self._making:
                if self._engine is None:
                    options = {**current_app.config["SQLALCHEMY_ENGINE_OPTIONS"], **self.POOL}
                    engine = create_engine(db.engine.url, **options)
                    configure_engine(engine)
                    self._engine = engine
        return self._engine

    @property
    def base_exceptions(self) -> type[Exception]:
        return SQLAlchemyError

    def dispose(self) -> None:
        """Close the pool's connections (an app that is done: the tests' teardown)."""
        if self._engine is not None:
            self._engine.dispose()

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        now = time.time()
        ended = RateLimitCounter.expires_at <= now
        statement = (
            upsert_insert(self.engine, RateLimitCounter)
            .values(key=key, hits=amount, expires_at=now + expiry)
            .on_conflict_do_update(
                index_elements=["key"],
                # Both read the row as it was: a window that ran out starts again from here.
                set_={
                    "hits": case((ended, amount), else_=RateLimitCounter.hits + amount),
                    "expires_at": case((ended, now + expiry), else_=RateLimitCounter.expires_at),
                },
            )
            .returning(RateLimitCounter.hits)
        )
        with self.engine.begin() as connection:
            return connection.execute(statement).scalar_one()

    def _window(self, key: str) -> tuple[int, float] | None:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(RateLimitCounter.hits, RateLimitCounter.expires_at).where(
                    RateLimitCounter.key == key, RateLimitCounter.expires_at > time.time()
                )
            ).first()
        return (row.hits, row.expires_at) if row else None

    def get(self, key: str) -> int:
        window = self._window(key)
        return window[0] if window else 0

    def get_expiry(self, key: str) -> float:
        window = self._window(key)
        return window[1] if window else time.time()

    def check(self) -> bool:
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True

    def reset(self) -> int | None:
        with self.engine.begin() as connection:
            return connection.execute(delete(RateLimitCounter)).rowcount

    def clear(self, key: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(delete(RateLimitCounter).where(RateLimitCounter.key == key))


def delete_ended_windows(now: float | None = None) -> int:
    """Delete the counters whose window has ended (``purge``); returns how many."""
    moment = time.time() if now is None else now
    return db.session.execute(
        delete(RateLimitCounter)
        .where(RateLimitCounter.expires_at <= moment)
        .execution_options(synchronize_session=False)
    ).rowcount
