"""Readers' notifications: noting published comments, batching them into mails, taking
back mails that quote a comment readers no longer see."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from commentsvc.extensions import db
from commentsvc.models.mail import (
    Notification,
    OutboxMail,
    Subscriber,
    Subscription,
    SubscriptionKind,
)
from commentsvc.models.threads import Comment, CommentStatus
from commentsvc.notify.mail import queue
from commentsvc.notify.notices import site_args
from commentsvc.notify.subscriptions import unsubscribe_url
from commentsvc.privacy.identity import normalize_address
from commentsvc.sites import config_for
from commentsvc.weburls import public_url, safe_href


def comment_published(comment: Comment, *, now: datetime) -> int:
    """Note a newly published comment for every confirmed subscriber it concerns (not its
    own author); each hears of a comment once. Returns how many were noted."""
    if comment.status != CommentStatus.APPROVED or not comment.html:
        return 0
    concerned = (Subscription.kind == SubscriptionKind.ARTICLE) | (
        (Subscription.kind == SubscriptionKind.REPLIES)
        & (Subscription.comment_id == comment.parent_id)
    )
    addresses = set(
        db.session.execute(
            select(Subscription.address)
            .join(Subscriber, Subscription.subscriber_id == Subscriber.id)
            .where(
                Subscription.article_id == comment.article_id,
                Subscriber.confirmed_at.is_not(None),
                concerned,
            )
        ).scalars()
    )
    addresses.discard(normalize_address(comment.email))
    if not addresses:
        return 0
    told = set(
        db.session.execute(
            select(Notification.address).where(
                Notification.comment_id == comment.id, Notification.address.in_(addresses)
            )
        ).scalars()
    )
    batch = config_for(comment.article.site_id)["NOTIFY_BATCH_MINUTES"]
    due = now + timedelta(minutes=batch)
    noted = 0
    for address in sorted(addresses - told):
        # Two moderators approving at once: the unique index keeps one, the other steps back.
        try:
            with db.session.begin_nested():
                db.session.add(
                    Notification(
                        address=address,
                        article_id=comment.article_id,
                        comment_id=comment.id,
                        due_at=due,
                    )
                )
            noted += 1
        except IntegrityError:
            pass
    return noted


def queue_due_notifications(*, now: datetime) -> int:
    """Write one outbox mail per address and article whose batch is due; commits each.

    A batch is due when its first comment's time is up; comments published meanwhile go in
    the same mail. Comments no longer published (trashed, spam, erased) are left out.
    """
    groups = db.session.execute(
        select(Notification.address, Notification.article_id)
        .where(Notification.mailed_at.is_(None))
        .group_by(Notification.address, Notification.article_id)
        .having(func.min(Notification.due_at) <= now)
    ).all()
    written = 0
    for address, article_id in groups:
        written += _write_batch(address, article_id, now)
        db.session.commit()
    return written


def _write_batch(address: str, article_id: int, now: datetime) -> int:
    rows = db.session.execute(
        select(Notification, Comment)
        .join(Comment, Notification.comment_id == Comment.id)
        .where(
            Notification.address == address,
            Notification.article_id == article_id,
            Notification.mailed_at.is_(None),
        )
        .order_by(Comment.created_at, Comment.id)
    ).all()
    subscription = db.session.execute(
        select(Subscription)
        .where(Subscription.address == address, Subscription.article_id == article_id)
        .order_by(Subscription.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    shown = [c for _n, c in rows if c.status == CommentStatus.APPROVED and c.html]
    left_out = [n.id for n, c in rows if c not in shown]
    if left_out:
        db.session.execute(delete(Notification).where(Notification.id.in_(left_out)))
    ids = [n.id for n, c in rows if c in shown]
    if not ids:
        return 0
    # Another send-mail run may be writing the same batch: only one of them marks it.
    marked = db.session.execute(
        update(Notification)
        .where(Notification.id.in_(ids), Notification.mailed_at.is_(None))
        .values(mailed_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if marked != len(ids):
        db.session.rollback()
        return 0
    if subscription is None:  # unsubscribed since: marked, never mailed
        return 0
    mail = _notification_mail(subscription, shown, now)
    db.session.flush()
    # Each notification names its mail: an erasure of a comment's author, or the comment
    # leaving the site, finds the mails that quote it.
    db.session.execute(
        update(Notification)
        .where(Notification.id.in_(ids))
        .values(mail_id=mail.id)
        .execution_options(synchronize_session=False)
    )
    return 1


def comment_link(comment: Comment) -> str:
    """The comment on the article's page (the host site's, else our plain thread page)."""
    article = comment.article
    href = safe_href(article.url)
    if href:
        return f"{href.split('#')[0]}#comment-{comment.id}"
    from commentsvc.threads.reading import page_of, replies_from_for

    anchor = f"comment-{comment.id}"
    site = site_args(article.site_id)  # the key is only unique on its site
    further = replies_from_for(comment)
    if further is not None:  # behind a "more replies" link on the thread's page
        return public_url(
            "public.thread", article=article.key, replies=further.cursor, _anchor=anchor, **site
        )
    return public_url(
        "public.thread", article=article.key, page=page_of(comment), _anchor=anchor, **site
    )


def _notification_mail(subscription: Subscription, shown: list[Comment], now: datetime):
    article = subscription.article
    stop = unsubscribe_url(subscription.address, article.id, subscription.language, now=now)
    # Not one comment's mail (no comment_id): withdraw_mail must not take it back with the
    # moderators' mails about shown[0]. Its notifications name it (mail_id) instead.
    return queue(
        "notification",
        to=subscription.email,
        language=subscription.language,
        site_id=article.site_id,
        now=now,
        list_unsubscribe=stop,
        title=article.title,
        items=[(c, comment_link(c)) for c in shown],
        unsubscribe=stop,
    )


def withdraw_mails_quoting(comment_ids) -> int:
    """Take back the unsent notification mails that quote these comments (a list or a
    subquery): the comment left the site, or its author's data is erased. The other comments
    of such a mail go out with the next batch. Returns how many mails were taken back."""
    quoting = select(Notification.mail_id).where(
        Notification.comment_id.in_(comment_ids), Notification.mail_id.is_not(None)
    )
    unsent = list(
        db.session.execute(
            select(OutboxMail.id).where(OutboxMail.id.in_(quoting), OutboxMail.sent_at.is_(None))
        ).scalars()
    )
    if not unsent:
        return 0
    db.session.execute(
        update(Notification)
        .where(Notification.mail_id.in_(unsent))
        .values(mailed_at=None, mail_id=None)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        delete(OutboxMail)
        .where(OutboxMail.id.in_(unsent))
        .execution_options(synchronize_session=False)
    )
    return len(unsent)
