"""The moderation pages: sign-in, the queue and the actions on comments, admins' pages
(moderators, sites, settings, privacy requests), the audit log, and the reports tab (its own
blueprint, ``report_moderation``, in ``reports``).

One blueprint, ``moderation`` (defined in ``_common``); each module adds the routes of one
part of the desk, and importing the package brings them all. Every change is a POST with a
CSRF token (Flask-WTF); action URLs answer GET with 405. Views translate HTTP to calls of
the services and back, and commit once per action (the services only flush). A refusal
comes back on the page it came from, as a message, with what the moderator typed kept.
"""

from commentsvc.views.moderation import (
    admin,
    articles,
    bans,
    comments,
    log,
    people,
    privacy,
    reports,
    security,
    signin,
    sites,
)
from commentsvc.views.moderation._common import bp

__all__ = [
    "admin",
    "articles",
    "bans",
    "bp",
    "comments",
    "log",
    "people",
    "privacy",
    "reports",
    "security",
    "signin",
    "sites",
]
