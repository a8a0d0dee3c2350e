"""Rate limits against flooding, shared by every route that takes new comments.

Apply ``limit_comment_posts`` to a view (the form's ``POST /comments``, the API's
``POST /api/v1/comments``): all of them share one budget per address, set by
``RATELIMIT_COMMENTS``. Storage is ``RATELIMIT_STORAGE_URI`` (memory, or Redis for several
instances); if Redis is down Flask-Limiter falls back to per-instance memory and logs it.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l

from .extensions import limiter

TOO_FAST = _l("You are sending comments too quickly. Wait a moment and try again.")


def _comment_limit() -> str:
    return current_app.config["RATELIMIT_COMMENTS"]


limit_comment_posts = limiter.shared_limit(
    _comment_limit,
    scope="post-comments",
    methods=["POST"],
    error_message=lambda: str(TOO_FAST),
)
