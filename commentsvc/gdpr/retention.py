"""Retention: how long anonymized IPs, spam and trash, sent mails and their links are kept (the
`purge` command)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, delete, func, or_, select, update

from commentsvc import tokens as link_tokens
from commentsvc.extensions import db
from commentsvc.gdpr.rights import record_audit
from commentsvc.limitstore import delete_ended_windows
from commentsvc.models.mail import OutboxMail
from commentsvc.models.moderation import AuditAction
from commentsvc.models.threads import Comment, CommentStatus
from commentsvc.reports.personal_data import purge_reports
from commentsvc.threads.removal import delete_for_good

PURGED = (CommentStatus.SPAM, CommentStatus.TRASH)


@dataclass
class Purge:
    ips_cleared: int = 0
    # CommentStatus -> comments deleted: old spam and trash, and the removed placeholders
    # above them left with nothing under them (threads.removal, the one rule)
    deleted: Counter = field(default_factory=Counter)
    kept_with_replies: int = 0  # old spam/trash that something hangs under: kept for it
    mails_deleted: int = 0  # sent mails older than OUTBOX_RETENTION_DAYS
    reports_cleared: int = 0  # decided reports whose personal data went (their counts stay)
    links_deleted: int = 0  # link tokens expired, or stopping an address that left


def purge(*, now: datetime, by: str = "purge") -> Purge:
    """Apply ``IP_RETENTION_DAYS``, ``PURGE_AFTER_DAYS`` and ``OUTBOX_RETENTION_DAYS``; safe
    to run again at any time. The caller commits."""
    config = current_app.config
    result = Purge()
    if config["IP_RETENTION_DAYS"]:
        cutoff = now - timedelta(days=config["IP_RETENTION_DAYS"])
        result.ips_cleared = db.session.execute(
            update(Comment)
            .where(Comment.ip != "", Comment.created_at < cutoff)
            .values(ip="")
            .execution_options(synchronize_session=False)
        ).rowcount
    if config["PURGE_AFTER_DAYS"]:
        cutoff = now - timedelta(days=config["PURGE_AFTER_DAYS"])
        old = (
            Comment.status.in_(PURGED),
            func.coalesce(Comment.decided_at, Comment.created_at) < cutoff,
        )
        doomed = db.session.execute(select(Comment.id).where(*old)).scalars()
        deletion = delete_for_good(list(doomed))
        result.deleted = deletion.deleted
        result.kept_with_replies = len(deletion.kept)
        result.reports_cleared = purge_reports(cutoff)
    if config["OUTBOX_RETENTION_DAYS"]:
        # A sent mail quotes a comment and its author's address: it is only a copy of a
        # notice, so it goes after the retention, unsent ones stay until they are delivered.
        cutoff = now - timedelta(days=config["OUTBOX_RETENTION_DAYS"])
        # A mail set aside is never sent: it goes after the same time.
        result.mails_deleted = db.session.execute(
            delete(OutboxMail)
            .where(
                or_(
                    and_(OutboxMail.sent_at.is_not(None), OutboxMail.sent_at < cutoff),
                    and_(OutboxMail.failed_at.is_not(None), OutboxMail.failed_at < cutoff),
                )
            )
            .execution_options(synchronize_session=False)
        ).rowcount
    # Rate limit windows that ended (database://): a keyed hash of an address, kept no longer
    # than the limit needs it.
    delete_ended_windows(now.timestamp())
    # Links past their expiry; unsubscribe links of addresses that left, once their mails
    # are past the outbox's retention.
    days = config["OUTBOX_RETENTION_DAYS"]
    result.links_deleted = link_tokens.purge(
        now, left_before=now - timedelta(days=days) if days else None
    )
    record_audit(
        AuditAction.PURGE,
        {
            "ips": result.ips_cleared,
            "comments": sum(result.deleted.values()),
            "mails": result.mails_deleted,
            "reports": result.reports_cleared,
        },
        by=by,
        now=now,
    )
    db.session.flush()
    return result
