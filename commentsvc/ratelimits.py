"""Rate limits against flooding, shared by every route that takes new comments.

Apply ``limit_comment_posts`` to a view (the form's ``POST /comments``, the API's
``POST /api/v1/comments``): all of them share one budget per address, set by
``RATELIMIT_COMMENTS``. Storage is ``RATELIMIT_STORAGE_URI`` (memory, or Redis for several
instances); if Redis is down Flask-Limiter falls back to per-instance memory and logs it.
"""

from __future__ import annotations

import logging

from flask import current_app
from flask.logging import default_handler
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from limits import parse_many

from commentsvc.errors import TooManyNewArticles
from commentsvc.extensions import limiter

TOO_FAST = _l("You are sending comments too quickly. Wait a moment and try again.")


def _comment_limit() -> str:
    return current_app.config["RATELIMIT_COMMENTS"]


limit_comment_posts = limiter.shared_limit(
    _comment_limit,
    scope="post-comments",
    methods=["POST"],
    error_message=lambda: str(TOO_FAST),
)


REPORTING_TOO_FAST = _l("You are sending reports too quickly. Wait a moment and try again.")

# Reports have their own budget per address, as large as the comments' (RATELIMIT_COMMENTS),
# shared by the form and the API: a reader who just commented can still report.
limit_reports = limiter.shared_limit(
    _comment_limit,
    scope="report-comments",
    methods=["POST"],
    error_message=lambda: str(REPORTING_TOO_FAST),
)


def _storage_news(record: logging.LogRecord) -> bool:
    """Warnings and errors, and the news that the storage is back; not the per-request
    "exceeded" lines (they carry the reader's address)."""
    return record.levelno >= logging.WARNING or record.getMessage().startswith(
        "Rate limit storage recovered"
    )


def init_limiter(app) -> None:
    """Flask-Limiter for this app, from this app's configuration alone.

    The extension object is shared by every app of the process and keeps some of the first
    app's settings (``init_app`` fills its key prefix only when empty) and its "storage is
    down, count in memory" flag. A worker has one app, but several instances in one process
    (the tests) would write under the first one's prefix, or count in memory after another's
    Redis went away: each app starts from its own prefix and by trying its own storage.
    """
    limiter._key_prefix = None
    limiter._storage_dead = False
    limiter.init_app(app)


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
    if not limiter.enabled:
        return
    # RATELIMIT_KEY_PREFIX keeps several services on one Redis apart, as for Flask-Limiter's
    # own limits (limits' keys do not carry it by themselves).
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX") or "commentsvc"
    who = (prefix, "new-articles", get_remote_address())
    try:
        limits = parse_many(current_app.config["RATELIMIT_NEW_ARTICLES"])
        # Every limit is tested before any is counted: a refused thread uses up none of them.
        if not all(limiter.limiter.test(limit, *who) for limit in limits):
            raise TooManyNewArticles(TOO_MANY_NEW_ARTICLES, field="article")
        for limit in limits:
            limiter.limiter.hit(limit, *who)
    except TooManyNewArticles:
        raise
    except Exception:  # the storage (Redis) is away: keep serving, as the other limits do
        logging.getLogger("flask-limiter").warning(
            "rate limit storage failed while counting a new thread", exc_info=True
        )
