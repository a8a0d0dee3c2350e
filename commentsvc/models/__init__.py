"""The tables, typed (SQLAlchemy 2.0): one module per part of the service. Importing the package
maps every table, so the schema (and Alembic's view of it) is whole."""

from commentsvc.models.base import UTCDateTime, utcnow
from commentsvc.models.limits import RateLimitCounter
from commentsvc.models.mail import (
    Notification,
    OutboxMail,
    Subscriber,
    Subscription,
    SubscriptionKind,
)
from commentsvc.models.moderation import (
    AuditAction,
    LoginThrottle,
    ModerationEvent,
    Moderator,
    ModeratorRole,
)
from commentsvc.models.people import Ban, PersonTrust, Trust
from commentsvc.models.reports import Report, ReportOutcome, ReportReason, StatementOfReasons
from commentsvc.models.sites import DEFAULT_SITE, Site, SiteOrigin, SiteRole
from commentsvc.models.threads import (
    ARTICLE_TITLE_MAX,
    ARTICLE_URL_MAX,
    Article,
    Comment,
    CommentStatus,
    ImportMapping,
    PendingEdit,
    move_every_thread,
)
from commentsvc.models.tokens import LinkToken, TokenPurpose

__all__ = [
    "ARTICLE_TITLE_MAX",
    "ARTICLE_URL_MAX",
    "DEFAULT_SITE",
    "Article",
    "AuditAction",
    "Ban",
    "Comment",
    "CommentStatus",
    "ImportMapping",
    "LinkToken",
    "LoginThrottle",
    "ModerationEvent",
    "Moderator",
    "ModeratorRole",
    "Notification",
    "OutboxMail",
    "PendingEdit",
    "PersonTrust",
    "RateLimitCounter",
    "Report",
    "ReportOutcome",
    "ReportReason",
    "Site",
    "SiteOrigin",
    "SiteRole",
    "StatementOfReasons",
    "Subscriber",
    "Subscription",
    "SubscriptionKind",
    "TokenPurpose",
    "Trust",
    "UTCDateTime",
    "move_every_thread",
    "utcnow",
]
