"""Posting a comment or reply: the policy decides published, held or spam."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from commentsvc import lifecycle
from commentsvc.errors import (
    CommentRefused,
    CommentRejected,
    ThreadClosed,
)
from commentsvc.extensions import db
from commentsvc.models.mail import SubscriptionKind
from commentsvc.models.threads import Article, Comment, CommentStatus
from commentsvc.sanitize import clean_html
from commentsvc.sites.config import config_for
from commentsvc.threads.articles import is_closed
from commentsvc.threads.banned import active_ban_for
from commentsvc.threads.policy import Signals, held_reasons, spam_reasons
from commentsvc.threads.proofofwork import proof_reasons
from commentsvc.threads.rows import new_comment
from commentsvc.threads.shapes import can_reply
from commentsvc.threads.spammemory import remembered_spam


@dataclass(frozen=True)
class Draft:
    """A comment as a reader sent it, after the form's checks."""

    comment: str
    author: str
    email: str
    website: str = ""
    parent_id: int | None = None
    subscribe: str = ""  # "", "replies" or "article": notify the author by email
    language: str = ""  # the form's language, for those mails


def post_comment(
    article: Article,
    draft: Draft,
    *,
    ip: str,
    now: datetime,
    signals: Signals | None = None,
) -> Comment:
    """Store a new comment or reply: published, held, or spam as the moderation policy says.

    ``signals`` are the form's anti-spam signals (``antispam.stamp_age`` and the honeypot);
    callers that are not a public form (imports, tests of other rules) pass none. Spam is
    stored with its reasons, never dropped. What follows (mail to moderators, notifications,
    the author's sign-up) is announced (``lifecycle``) and written in the same transaction.
    """
    if is_closed(article, now):
        raise ThreadClosed(_l("Comments are closed."))
    parent = _parent_for(article, draft.parent_id)
    html = clean_html(draft.comment)
    if not html:
        raise CommentRejected(_l("Write a comment."), field="comment")
    config = config_for(article.site_id)
    banned = active_ban_for(article.site_id, draft.email, ip, now=now) is not None
    if banned and config["BAN_ACTION"] != "hold":
        # Neutral on purpose: the words must not tell a banned person (or someone testing
        # addresses) that a ban is the reason; the statement of reasons told them already.
        raise CommentRefused(_l("Your comment could not be accepted."))
    _refuse_duplicate(article, draft)
    who = {"author": draft.author, "email": draft.email, "website": draft.website, "ip": ip}
    reasons = spam_reasons(config, text=draft.comment, signals=signals, **who)
    if reasons:
        status = CommentStatus.SPAM
    else:
        reasons = held_reasons(
            config,
            text=draft.comment,
            html=html,
            site=article.site_id,
            premoderated=article.premoderated,
            **who,
        )
        reasons += remembered_spam(article.site_id, config, **who)
        if signals is not None:
            reasons += proof_reasons(article.site_id, config, signals.proof_of_work, now)
        status = CommentStatus.PENDING if reasons else CommentStatus.APPROVED
    if banned:  # BAN_ACTION "hold": a moderator sees why, whatever else held it
        reasons = ["banned", *reasons]
        if status == CommentStatus.APPROVED:
            status = CommentStatus.PENDING
    comment = new_comment(
        article,
        parent,
        text=draft.comment,
        html=html,
        author=draft.author,
        email=draft.email,
        website=draft.website,
        ip=ip,
        status=status,
        held_for="\n".join(reasons),
        created_at=now,
    )
    db.session.add(comment)
    db.session.flush()
    if status == CommentStatus.PENDING:
        lifecycle.comment_held.send(comment, now=now)
    elif status == CommentStatus.APPROVED:
        lifecycle.comment_published.send(comment, now=now)
    # Spam asks nothing of anyone: no confirmation mail goes to the address it gave.
    if draft.subscribe and status != CommentStatus.SPAM:
        lifecycle.subscription_asked.send(
            comment, kind=SubscriptionKind(draft.subscribe), language=draft.language, now=now
        )
    db.session.flush()
    return comment


def _refuse_duplicate(article: Article, draft: Draft) -> None:
    """The same text from the same email under the same article, unless it was trashed."""
    found = db.session.execute(
        select(Comment.id)
        .where(
            Comment.article_id == article.id,
            Comment.email == draft.email,
            Comment.text == draft.comment,
            Comment.status != CommentStatus.TRASH,
        )
        .limit(1)
    ).first()
    if found is not None:
        raise CommentRejected(
            _l("You have already sent this comment. It looks like a duplicate."),
            field="comment",
        )


def _parent_for(article: Article, parent_id: int | None) -> Comment | None:
    if parent_id is None:
        return None
    parent = db.session.get(Comment, parent_id)
    # A removed comment (its text erased on its author's request) cannot be answered either.
    if parent is None or parent.article_id != article.id or not parent.html:
        raise CommentRejected(
            _l("The comment you reply to does not exist in this thread."), field="parent"
        )
    # Closed threads were refused above, with their own message.
    if not can_reply(parent, closed=False):
        raise CommentRejected(
            _l("The comment you reply to has not been published yet, so it cannot be answered."),
            field="parent",
        )
    return parent
