"""Rate limits against flooding, shared by every route that takes new comments.

Apply ``limit_comment_posts`` to a view (the form's ``POST /comments``, the API's
``POST /api/v1/comments``): all of them share one budget per address, set by
``RATELIMIT_COMMENTS``. Storage is ``RATELIMIT_STORAGE_URI``: the service's own database by
default (``database://``, commentsvc/limitstore.py), which every worker shares; Redis for many
instances; ``memory://`` counts per worker process. If the storage is down Flask-Limiter falls
back to per-instance memory and logs it. Readers are counted by a keyed hash of their address.
Each app has its own Limiter (``init_limiter``, kept in ``app.extensions``); the decorators
find the current app's at request time.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app
from flask.logging import default_handler
from flask_babel import lazy_gettext as _l
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import parse_many

from commentsvc import limitstore  # noqa: F401 - defines database:// for limits and Flask-Limiter
from commentsvc.errors import TooManyNewArticles
from commentsvc.privacy.addresses import address_key

TOO_FAST = _l("You are sending comments too quickly. Wait a moment and try again.")
REPORTING_TOO_FAST = _l("You are sending reports too quickly. Wait a moment and try again.")


def reader_key() -> str:
    """Who a limit counts: a keyed hash of the reader's address, never the address itself,
    which would otherwise sit in the storage's keys (memory, Redis, the database) for as long
    as the window lasts."""
    return address_key(get_remote_address())


def _comment_limit() -> str:
    return current_app.config["RATELIMIT_COMMENTS"]


def _too_fast() -> str:
    return str(TOO_FAST)


def _reporting_too_fast() -> str:
    return str(REPORTING_TOO_FAST)


class RateLimits:
    """One app's Flask-Limiter and the limits its views share.

    A Limiter bound to one app takes its prefix, storage and "storage is down" state from that
    app alone, so several apps in one process (the tests, or instances side by side) never
    count under another's prefix or in memory after another's Redis went away.
    """

    def __init__(self, app: Flask) -> None:
        self.limiter = Limiter(reader_key, app=app)
        self.shared = {
            "post-comments": self.limiter.shared_limit(
                _comment_limit, scope="post-comments", methods=["POST"], error_message=_too_fast
            ),
            # Reports have their own budget per address, as large as the comments'
            # (RATELIMIT_COMMENTS), shared by the form and the API: a reader who just commented
            # can still report.
            "report-comments": self.limiter.shared_limit(
                _comment_limit,
                scope="report-comments",
                methods=["POST"],
                error_message=_reporting_too_fast,
            ),
        }
        self.views: dict[tuple[str, Callable], Callable] = {}

    def limited(self, scope: str, view: Callable) -> Callable:
        """The view under this app's shared limit ``scope``, wrapped once per app."""
        key = (scope, view)
        if key not in self.views:
            # Two first requests at once may both wrap: the limit is registered by its value,
            # so it still counts once.
            self.views[key] = self.shared[scope](view)
        return self.views[key]


def rate_limits() -> RateLimits:
    return current_app.extensions["commentsvc-ratelimits"]


def _shared_limit(scope: str) -> Callable[[Callable], Callable]:
    """A view decorator that applies the current app's shared limit ``scope`` at request time."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def limited_view(*args: Any, **kwargs: Any):
            return rate_limits().limited(scope, view)(*args, **kwargs)

        return limited_view

    return decorate


# Apply to the views that take new comments (the form's ``POST /comments``, the API's
# ``POST /api/v1/comments``, the iframe's): they share one budget per address.
limit_comment_posts = _shared_limit("post-comments")
limit_reports = _shared_limit("report-comments")


def _storage_news(record: logging.LogRecord) -> bool:
    """Warnings and errors, and the news that the storage is back; not the per-request
    "exceeded" lines (they carry the reader's address)."""
    return record.levelno >= logging.WARNING or record.getMessage().startswith(
        "Rate limit storage recovered"
    )


def init_limiter(app: Flask) -> None:
    """Flask-Limiter for this app, from this app's configuration alone (RATELIMIT_*)."""
    app.extensions["commentsvc-ratelimits"] = RateLimits(app)


def log_storage_faults() -> None:
    """Flask-Limiter says when Redis goes away ("falling back to in-memory storage") and
    comes back on its own logger, which only has a NullHandler: send that where the app's own
    messages go (standard error, so gunicorn's error log)."""
    logger = logging.getLogger("flask-limiter")
    if default_handler not in logger.handlers:
        logger.addHandler(default_handler)
        logger.addFilter(_storage_news)
    if logger.level == logging.NOTSET or logger.level > logging.INFO:
        logger.setLevel(logging.INFO)


TOO_MANY_NEW_ARTICLES = _l(
    "Too many new discussions from your address. Wait a while and try again."
)


def count_new_article() -> None:
    """Count one new thread against ``RATELIMIT_NEW_ARTICLES`` for the reader's address, or
    raise TooManyNewArticles (429). Only a request that really opens a thread is counted, so
    it is a hit here rather than a decorator on the views that read threads."""
    limiter = rate_limits().limiter
    if not limiter.enabled:
        return
    # RATELIMIT_KEY_PREFIX keeps several services on one Redis apart, as for Flask-Limiter's
    # own limits (limits' keys do not carry it by themselves).
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX") or "commentsvc"
    who = (prefix, "new-articles", reader_key())
    try:
        limits = parse_many(current_app.config["RATELIMIT_NEW_ARTICLES"])
        # Every limit is tested before any is counted: a refused thread uses up none of them.
        # The test alone would let parallel requests all pass on the same count, so it is the
        # hits (one atomic step each in the storage) that decide; only a request that loses
        # such a race counts against the other limits without opening a thread.
        if not all(limiter.limiter.test(limit, *who) for limit in limits):
            raise TooManyNewArticles(TOO_MANY_NEW_ARTICLES, field="article")
        if not all([limiter.limiter.hit(limit, *who) for limit in limits]):
            raise TooManyNewArticles(TOO_MANY_NEW_ARTICLES, field="article")
    except TooManyNewArticles:
        raise
    except Exception:  # the storage (Redis) is away: keep serving, as the other limits do
        logging.getLogger("flask-limiter").warning(
            "rate limit storage failed while counting a new thread", exc_info=True
        )
