"""The moderators' mail: a comment waits for review, and here is its page in the queue."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, or_, select

from commentsvc.extensions import db
from commentsvc.models.moderation import Moderator
from commentsvc.models.sites import SiteRole
from commentsvc.models.threads import Comment
from commentsvc.notify.mail import queue
from commentsvc.threads.policy import describe_reason, reason_codes
from commentsvc.weburls import public_url


def queue_moderator_mail(comment: Comment, *, now: datetime) -> int:
    """Add one mail per moderator who asked for them and works on the comment's site (an
    account of other sites never hears of it), in the site's language; the caller commits.
    Returns how many."""
    has_roles = exists().where(SiteRole.moderator_id == Moderator.id)
    on_this_site = exists().where(
        SiteRole.moderator_id == Moderator.id, SiteRole.site_id == comment.article.site_id
    )
    recipients = list(
        db.session.execute(
            select(Moderator.email).where(
                Moderator.active.is_(True),
                Moderator.notify.is_(True),
                Moderator.email != "",
                or_(~has_roles, on_this_site),
            )
        ).scalars()
    )
    codes = reason_codes(comment)
    for address in recipients:
        queue(
            "comment_held",
            to=address,
            language=None,  # the site's
            site_id=comment.article.site_id,
            now=now,
            # Tied to the comment: a decision on it takes the unsent call back (withdraw_mail).
            comment_id=comment.id,
            about_address=comment.address,
            comment=comment,
            codes=codes,
            describe_reason=describe_reason,
            # Held by readers' reports (commentsvc.reports): it was published until now.
            by_reports=any(code.startswith("reports:") for code in codes),
            # A link only: nothing happens until the moderator chooses an action there.
            link=public_url("moderation.comment", comment_id=comment.id),
        )
    return len(recipients)
