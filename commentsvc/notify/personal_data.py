"""A reader's subscriptions and waiting notifications, in privacy exports and erasure
(one of ``gdpr.sources.OTHER_SOURCES``)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select

from commentsvc.extensions import db
from commentsvc.models.mail import Notification, Subscriber, Subscription
from commentsvc.models.threads import Comment
from commentsvc.notify.notifications import withdraw_mails_quoting
from commentsvc.notify.subscriptions import end_subscriptions
from commentsvc.privacy.identity import normalize_address


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def personal_data(email: str) -> list[dict[str, Any]]:
    address = normalize_address(email)
    subscriber = db.session.execute(
        select(Subscriber).where(Subscriber.address == address)
    ).scalar_one_or_none()
    rows = db.session.execute(
        select(Subscription).where(Subscription.address == address).order_by(Subscription.id)
    ).scalars()
    waiting = defaultdict(list)
    for n in db.session.execute(
        select(Notification).where(
            Notification.address == address, Notification.mailed_at.is_(None)
        )
    ).scalars():
        waiting[n.article_id].append(n.comment_id)
    return [
        {
            "kind": s.kind.value,
            "site": s.article.site_id,
            "article": s.article.key,
            "comment_id": s.comment_id,
            "email": s.email,
            "language": s.language,
            "created_at": _when(s.created_at),
            "confirmed_at": _when(subscriber.confirmed_at) if subscriber else None,
            "waiting_notifications": waiting.get(s.article_id, []),
        }
        for s in rows
    ]


def erase_personal_data(email: str, delete_texts: bool) -> int:
    """Every subscription, waiting notification and the address's confirmation go, and the
    unsent notification mails that quote the person's comments (sent copies are found by the
    outbox's own source, gdpr.sources)."""
    address = normalize_address(email)
    removed = withdraw_mails_quoting(select(Comment.id).where(Comment.address == address))
    removed += end_subscriptions(address, None)
    db.session.execute(delete(Notification).where(Notification.address == address))
    removed += db.session.execute(delete(Subscriber).where(Subscriber.address == address)).rowcount
    return removed
