"""The flood limits count one budget per reader for the whole machine, not one per worker.

With the default configuration (``RATELIMIT_STORAGE_URI=database://``, commentsvc/limitstore.py)
the counters live in the service's own database, which every gunicorn worker shares: real
gunicorn with 2 single-threaded workers gets the comments (and new threads) two at a time, so
both workers answer, and the budget is still spent once. ``memory://`` still works when set.
"""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from commentsvc.extensions import db
from commentsvc.models.limits import RateLimitCounter
from commentsvc.models.threads import Article, Comment
from tests.conftest import ALLOWED_ORIGIN
from tests.servers import Browser, gunicorn


def count(app, model) -> int:
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def two_at_a_time(calls) -> list[int]:
    """Run the calls in pairs, so that each of the two workers is busy with one of them."""
    with ThreadPoolExecutor(2) as pool:
        return list(pool.map(lambda call: call(), calls))


@pytest.mark.slow
def test_two_workers_share_one_budget_by_default(app, article, database_url, tmp_path):
    from commentsvc.setting_specs import BY_KEY

    assert BY_KEY["RATELIMIT_STORAGE_URI"].default == "database://"
    comments = BY_KEY["RATELIMIT_COMMENTS"].default  # "5 per minute;30 per hour"
    per_minute = int(comments.split(" per minute")[0])
    threads = int(BY_KEY["RATELIMIT_NEW_ARTICLES"].default.split(" per hour")[0])
    config = {
        "RATELIMIT_ENABLED": "true",  # tests/servers.py turns the limits off unless told
        "ALLOWED_ORIGINS": json.dumps([ALLOWED_ORIGIN]),
        "MODERATION": "none",
    }
    with gunicorn(database_url, tmp_path, workers=2, threads=1, **config) as base:
        readers = [Browser(base) for _ in range(per_minute + 3)]
        tokens = [reader.open_thread(article) for reader in readers]

        def post(n: int):
            return lambda: readers[n].post_comment(article, tokens[n], f"Inlägg {n}").status

        posted = two_at_a_time([post(n) for n in range(len(readers))])
        assert sorted(posted) == [303] * per_minute + [429] * 3, posted
        assert count(app, Comment) == per_minute

        def open_thread(n: int):
            query = urlencode({"article": f"ny-{n}", "url": f"{ALLOWED_ORIGIN}/ny-{n}"})
            headers = {"Origin": ALLOWED_ORIGIN}
            return lambda: Browser(base).request("GET", f"/api/v1/comments?{query}", None, headers)

        opened = [answer.status for answer in two_at_a_time([open_thread(n) for n in range(14)])]
        assert sorted(opened) == [200] * threads + [429] * (14 - threads), opened
        assert count(app, Article) == 1 + threads  # the fixture's article, and the new ones


LIMITED = {"RATELIMIT_ENABLED": True, "RATELIMIT_COMMENTS": "2 per minute"}


def post_twice_then_once_too_many(reader, article) -> list[int]:
    return [reader.post(article, comment=f"Inlägg {n}").status_code for n in range(3)]


@pytest.mark.parametrize("config_overrides", [LIMITED])
def test_the_default_storage_counts_in_the_database(app, reader, article):
    assert post_twice_then_once_too_many(reader, article) == [303, 303, 429]
    assert count(app, RateLimitCounter) > 0


@pytest.mark.parametrize("config_overrides", [{**LIMITED, "RATELIMIT_STORAGE_URI": "memory://"}])
def test_memory_still_works_when_set(app, reader, article):
    from limits.storage import MemoryStorage

    assert post_twice_then_once_too_many(reader, article) == [303, 303, 429]
    assert isinstance(app.extensions["commentsvc-ratelimits"].limiter.storage, MemoryStorage)
    assert count(app, RateLimitCounter) == 0  # nothing in the database


def test_a_window_that_ran_out_starts_again_and_purge_deletes_it(app, runner):
    from commentsvc.limitstore import DatabaseStorage

    storage = DatabaseStorage()
    with app.test_request_context():
        assert storage.incr("ended", -1) == 1  # a window that is already over
        assert storage.get("ended") == 0
        assert storage.incr("ended", 60) == 1  # starts again, not 2
        assert storage.incr("live", 60, amount=2) == 2
        assert storage.incr("live", 60) == 3  # the near miss: a live window counts on
        assert storage.get_expiry("live") > time.time() + 50
        storage.incr("gone", -1)
    assert count(app, RateLimitCounter) == 3
    assert runner.invoke(args=["purge"]).exit_code == 0
    with app.app_context():
        keys = db.session.execute(select(RateLimitCounter.key)).scalars().all()
    assert sorted(keys) == ["ended", "live"]


@pytest.mark.parametrize(
    "config_overrides",
    [
        {
            **LIMITED,
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 1, "max_overflow": 0, "pool_timeout": 3},
        }
    ],
)
def test_counting_needs_no_second_connection_from_a_full_pool(app, reader, article):
    """A pool as small as the worker's threads (operating.md suggests it for PostgreSQL): each
    request holds one connection already, and the count still goes to the database at once."""
    started = time.monotonic()
    assert post_twice_then_once_too_many(reader, article) == [303, 303, 429]
    assert time.monotonic() - started < 3
    assert count(app, RateLimitCounter) > 0  # counted in the database, not in a fallback
