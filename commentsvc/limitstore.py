"""``database://``: the rate limits' counters in the service's own database (``DATABASE_URL``).

The default storage. Flask-Limiter's ``memory://`` counts in each worker process alone, so
gunicorn's workers each gave a reader the whole budget (2 workers took 9 comments a minute
against a limit of 5). The database is what every worker of a machine, and every instance on
one PostgreSQL, already shares; Redis stays the faster choice for many instances.

A ``limits`` storage for the fixed-window strategy (Flask-Limiter's default): one row per
window (``RateLimitCounter``), counted by one ``INSERT ... ON CONFLICT DO UPDATE ...
RETURNING`` statement, so parallel requests never read the same count. Each call is its own
short transaction on its own connection: a count stays when the request fails and rolls back.
Windows that ran out are reused by the next hit of the same key, and deleted by ``purge``.
"""

from __future__ import annotations

import time

from limits.storage import Storage
from sqlalchemy import case, delete, select, text
from sqlalchemy.exc import SQLAlchemyError

from commentsvc.database import upsert_insert
from commentsvc.extensions import db
from commentsvc.models.limits import RateLimitCounter


class DatabaseStorage(Storage):
    """Rate limit counters in the current app's database (``RATELIMIT_STORAGE_URI=database://``).

    Used inside a request (or an app context): the engine is the current app's.
    """

    STORAGE_SCHEME = ["database"]

    @property
    def base_exceptions(self) -> type[Exception]:
        return SQLAlchemyError

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        now = time.time()
        ended = RateLimitCounter.expires_at <= now
        statement = (
            upsert_insert(db.engine, RateLimitCounter)
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
        with db.engine.begin() as connection:
            return connection.execute(statement).scalar_one()

    def _window(self, key: str) -> tuple[int, float] | None:
        with db.engine.connect() as connection:
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
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True

    def reset(self) -> int | None:
        with db.engine.begin() as connection:
            return connection.execute(delete(RateLimitCounter)).rowcount

    def clear(self, key: str) -> None:
        with db.engine.begin() as connection:
            connection.execute(delete(RateLimitCounter).where(RateLimitCounter.key == key))


def delete_ended_windows(now: float | None = None) -> int:
    """Delete the counters whose window has ended (``purge``); returns how many."""
    moment = time.time() if now is None else now
    return db.session.execute(
        delete(RateLimitCounter)
        .where(RateLimitCounter.expires_at <= moment)
        .execution_options(synchronize_session=False)
    ).rowcount
