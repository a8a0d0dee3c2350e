"""Readers' notifications by email: double opt-in, one mail per batch of published comments,
unsubscribing by a page or by one click (RFC 8058).

A reader who ticks the box gets one confirmation mail with an opaque link (commentsvc.tokens:
random bytes; the address stays in the database, never in a URL or a log); nothing else goes
to the address until the button on that link's page is pressed (a POST, so mail scanners
that follow links confirm nothing). A confirmed address stays confirmed for later
subscriptions until it unsubscribes from everything.

When a comment is published (at once or on approval), each confirmed subscriber it concerns
gets a ``Notification`` row, due ``NOTIFY_BATCH_MINUTES`` later. ``send-mail`` turns the due
ones into one outbox mail per address and article, leaving out comments that were trashed or
marked spam meanwhile, and delivers them as it delivers moderators' mail.

A service: plain arguments; it flushes, and the view or command that serves the action
commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from commentsvc import tokens
from commentsvc.errors import CommentRejected, DomainError
from commentsvc.extensions import db
from commentsvc.models.mail import (
    Notification,
    OutboxMail,
    Subscriber,
    Subscription,
    SubscriptionKind,
)
from commentsvc.models.moderation import AuditAction
from commentsvc.models.threads import Article, Comment
from commentsvc.models.tokens import TokenPurpose
from commentsvc.moderation.actions import get_comment, record
from commentsvc.notify.mail import queue, site_language
from commentsvc.privacy.identity import normalize_address
from commentsvc.weburls import public_url

CONFIRM_LINK_DAYS = 7
CONFIRMATION_INTERVAL = timedelta(days=1)  # at most one confirmation mail per address


class SubscriptionLinkInvalid(DomainError):
    """A confirmation or unsubscribe link that is forged, damaged, expired or used."""

    status = 400
    code = "invalid_link"


class SubscriptionLinkGone(SubscriptionLinkInvalid):
    status = 410
    code = "link_gone"


# Links in mails are absolute from PUBLIC_URL (weburls.public_url), never from the Host
# header of the request that signed up: a stranger could set it to mail anyone a link to
# their own site. Each carries an opaque token; what it stands for is its stored row.


def unsubscribe_url(address: str, article_id: int, language: str, *, now: datetime) -> str:
    """A link that stops ``address``'s mails about the article (or all). No expiry: RFC 8058
    asks that an unsubscribe link keep working for a long time; an erasure ends it."""
    token = tokens.issue(TokenPurpose.UNSUBSCRIBE, address=address, subject_id=article_id, now=now)
    return public_url("subscriptions.unsubscribe_page", lang=language, token=token)


def confirm_url(subscriber: Subscriber, language: str, *, now: datetime) -> str:
    """A link that confirms the address, once, within CONFIRM_LINK_DAYS."""
    token = tokens.issue(
        TokenPurpose.CONFIRM,
        address=subscriber.address,
        now=now,
        lifetime=timedelta(days=CONFIRM_LINK_DAYS),
    )
    return public_url("subscriptions.confirm_page", lang=language, token=token)


# --- signing up ------------------------------------------------------------------------------


def subscribe(
    comment: Comment,
    kind: SubscriptionKind,
    *,
    language: str,
    now: datetime,
) -> Subscription:
    """Note the wish of ``comment``'s author; queue a confirmation mail when the address is
    not confirmed and had none in the last day. The caller commits."""
    address = normalize_address(comment.email)
    site_id = comment.article.site_id
    if not address or "@" not in address:
        raise CommentRejected(
            _l("Enter your email address to be notified of new comments."), field="email"
        )
    subscriber = _subscriber(address, now)
    subscription = Subscription(
        subscriber=subscriber,
        kind=kind,
        article_id=comment.article_id,
        comment_id=comment.id,
        email=comment.email,
        address=address,
        language=site_language(site_id, language),
        created_at=now,
    )
    db.session.add(subscription)
    db.session.flush()
    if subscriber.confirmed_at is None and _may_send_confirmation(subscriber, now):
        _queue_confirmation(subscriber, subscription, now)
    return subscription


def _subscriber(address: str, now: datetime) -> Subscriber:
    """The address's row, made when it is new (a concurrent sign-up may make it first)."""
    query = select(Subscriber).where(Subscriber.address == address)
    found = db.session.execute(query).scalar_one_or_none()
    if found is not None:
        return found
    try:
        with db.session.begin_nested():
            found = Subscriber(address=address)
            found.created_at = now
            db.session.add(found)
    except IntegrityError:
        found = db.session.execute(query).scalar_one()
    return found


def _may_send_confirmation(subscriber: Subscriber, now: datetime) -> bool:
    """Claim today's confirmation mail for the address: one conditional UPDATE, so a
    thousand sign-ups, even at once from several workers, send one mail."""
    result = db.session.execute(
        update(Subscriber)
        .where(
            Subscriber.id == subscriber.id,
            (Subscriber.confirmation_sent_at.is_(None))
            | (Subscriber.confirmation_sent_at <= now - CONFIRMATION_INTERVAL),
        )
        .values(confirmation_sent_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _queue_confirmation(subscriber: Subscriber, subscription: Subscription, now: datetime):
    article = db.session.get(Article, subscription.article_id)
    # No comment: the mail is about the address, and must not be withdrawn with the
    # comment's mails to moderators when the comment is decided (withdraw_mail).
    queue(
        "confirm",
        to=subscription.email,
        language=subscription.language,
        site_id=article.site_id,
        now=now,
        title=article.title,
        link=confirm_url(subscriber, subscription.language, now=now),
        days=CONFIRM_LINK_DAYS,
    )


def state_of(comment_id: int) -> str | None:
    """``"confirm"`` when the comment's subscription waits for its address to be confirmed,
    ``"active"`` when it works already, None when its author asked for none."""
    row = db.session.execute(
        select(Subscriber.confirmed_at)
        .join(Subscription, Subscription.subscriber_id == Subscriber.id)
        .where(Subscription.comment_id == comment_id)
        .limit(1)
    ).first()
    if row is None:
        return None
    return "active" if row[0] is not None else "confirm"


# --- confirming ------------------------------------------------------------------------------


def subscriber_for_confirmation(token: str | None, *, now: datetime) -> Subscriber:
    """The address a confirmation link is for, or why the link cannot confirm it."""
    link = tokens.find(TokenPurpose.CONFIRM, token)
    if link is None:  # forged, damaged, of the earlier signed format, or erased
        raise SubscriptionLinkInvalid(
            _l("This confirmation link is not valid. Copy the whole link from the email.")
        )
    if link.expires_at is not None and now > link.expires_at:
        raise SubscriptionLinkGone(
            _l(
                "This confirmation link has expired. Tick the box again the next time you "
                "comment, and you will get a new one."
            )
        )
    subscriber = db.session.execute(
        select(Subscriber).where(Subscriber.address == link.address)
    ).scalar_one_or_none()
    if subscriber is None or not tokens.is_current(link, now):
        raise SubscriptionLinkGone(
            _l("This confirmation link has already been used, or its subscriptions have ended.")
        )
    return subscriber


def confirm(token: str | None, *, now: datetime) -> Subscriber:
    """Confirm the address; the link is spent, and so is every other confirmation link mailed
    to the address before it."""
    subscriber = subscriber_for_confirmation(token, now=now)
    subscriber.confirmed_at = subscriber.confirmed_at or now
    tokens.spend_all(TokenPurpose.CONFIRM, subscriber.address, now)
    db.session.flush()
    return subscriber


# --- unsubscribing ---------------------------------------------------------------------------


@dataclass(frozen=True)
class UnsubscribeLink:
    address: str
    article_id: int | None
    article: Article | None  # None once the article is gone


def read_unsubscribe(token: str | None) -> UnsubscribeLink:
    link = tokens.find(TokenPurpose.UNSUBSCRIBE, token)
    if link is None or not link.address:
        raise SubscriptionLinkInvalid(
            _l("This unsubscribe link is not valid. Copy the whole link from the email.")
        )
    article_id = link.subject_id
    article = db.session.get(Article, article_id) if article_id is not None else None
    return UnsubscribeLink(link.address, article_id, article)


def unsubscribe(token: str | None, *, everything: bool, now: datetime) -> UnsubscribeLink:
    """Stop the link's thread for its address, or everything from the thread's site (an
    address left with no subscription on any site must then confirm again before it gets
    mail). Only ever the address the link was signed for."""
    link = read_unsubscribe(token)
    address = link.address
    if everything or link.article_id is None:
        # Every mail from the link's site (a link whose thread is gone: from every site).
        end_subscriptions(address, None, site_id=link.article.site_id if link.article else None)
        left = select(Subscription.id).where(Subscription.address == address).limit(1)
        if db.session.execute(left).first() is None:
            db.session.execute(delete(Subscriber).where(Subscriber.address == address))
            # Confirmation links mailed before cannot sign the address up again: it asks anew.
            tokens.spend_all(TokenPurpose.CONFIRM, address, now)
    else:
        end_subscriptions(address, link.article_id)
    db.session.flush()
    return link


def end_subscriptions(address: str, article_id: int | None, *, site_id: str | None = None) -> int:
    """End the address's subscriptions (on one article, on one site's, or all) and its waiting
    notifications."""
    where = [Subscription.address == address]
    pending = [Notification.address == address, Notification.mailed_at.is_(None)]
    written = [Notification.address == address, Notification.mail_id.is_not(None)]
    if article_id is not None:
        where.append(Subscription.article_id == article_id)
        pending.append(Notification.article_id == article_id)
        written.append(Notification.article_id == article_id)
    elif site_id is not None:
        of_site = select(Article.id).where(Article.site_id == site_id)
        where.append(Subscription.article_id.in_(of_site))
        pending.append(Notification.article_id.in_(of_site))
        written.append(Notification.article_id.in_(of_site))
    removed = db.session.execute(delete(Subscription).where(*where)).rowcount
    db.session.execute(delete(Notification).where(*pending))
    # A notification kept in the outbox (the SMTP server was down) must not go out after.
    db.session.execute(
        delete(OutboxMail)
        .where(
            OutboxMail.id.in_(select(Notification.mail_id).where(*written)),
            OutboxMail.sent_at.is_(None),
        )
        .execution_options(synchronize_session=False)
    )
    return removed


# --- moderators ------------------------------------------------------------------------------


def for_comment(comment_id: int) -> list[tuple[Subscription, bool]]:
    """The subscriptions made with a comment, each with whether its address is confirmed."""
    rows = db.session.execute(
        select(Subscription, Subscriber.confirmed_at)
        .join(Subscriber, Subscription.subscriber_id == Subscriber.id)
        .where(Subscription.comment_id == comment_id)
        .order_by(Subscription.id)
    ).all()
    return [(s, confirmed is not None) for s, confirmed in rows]


def remove(comment_id: int, subscription_id: int) -> Subscription | None:
    """End a subscription made with a comment; None when it is not one of the comment's.

    A moderator's action (``remove_for_moderator``), or the reader's own unsubscribing.
    """
    subscription = db.session.get(Subscription, subscription_id)
    if subscription is None or subscription.comment_id != comment_id:
        return None
    pending = db.session.execute(
        select(func.count())
        .select_from(Subscription)
        .where(
            Subscription.address == subscription.address,
            Subscription.article_id == subscription.article_id,
        )
    ).scalar_one()
    if pending == 1:  # the last one on this thread: its waiting notifications go too
        db.session.execute(
            delete(Notification).where(
                Notification.address == subscription.address,
                Notification.article_id == subscription.article_id,
                Notification.mailed_at.is_(None),
            )
        )
    db.session.delete(subscription)
    db.session.flush()
    return subscription


def remove_for_moderator(comment_id: int, subscription_id: int, *, by: str, now: datetime) -> bool:
    """A moderator ends a reader's subscription made with a comment; recorded in the comment's
    history (the kind only, never the address). False when it is not the comment's."""
    comment = get_comment(comment_id)
    removed = remove(comment.id, subscription_id)
    if removed is None:
        return False
    details = {"kind": removed.kind.value}
    record(comment, AuditAction.UNSUBSCRIBE, comment.status.value, by=by, now=now, details=details)
    db.session.flush()
    return True
