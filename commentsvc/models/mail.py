"""The outbox of mail, and readers' subscriptions and the notifications waiting for them."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import (
    Mapped,
    mapped_column,
    relationship,
    validates,
)

from commentsvc.extensions import db
from commentsvc.models.base import UTCDateTime, stored_enum, utcnow
from commentsvc.models.threads import Article
from commentsvc.privacy.identity import normalize_address


class OutboxMail(db.Model):
    """A mail waiting to be sent, written in the same transaction as what it tells about."""

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(200))
    recipient_address: Mapped[str] = mapped_column(String(254), default="", server_default="")
    # The person the mail is about (the author of the comment it quotes), normalized.
    about_address: Mapped[str] = mapped_column(String(254), default="", server_default="")
    subject: Mapped[str] = mapped_column(String(300))
    # Which mail it is (notify.mail.MAILS: "notification", "comment_held"...): a privacy
    # export describes a mail sent to someone else by its kind, never by its contents.
    kind: Mapped[str] = mapped_column(String(40), default="", server_default="")
    body: Mapped[str] = mapped_column(Text)
    comment_id: Mapped[int | None] = mapped_column()
    # Whose name, sender and reply address the mail goes out with (empty: the installation's).
    site_id: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A worker leases a mail before sending it, so two workers never send the same one.
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
    # Set aside: the mail cannot be sent (it could not be built, or the receiving server refused
    # it for good). ``send-mail`` passes it by; admins see it with ``last_error``.
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A reader's mail (notify/subscriptions.py): an HTML part beside the text, and the address
    # that stops it, sent as List-Unsubscribe with RFC 8058's one-click POST.
    html: Mapped[str] = mapped_column(Text, default="", server_default="")
    # It carries the token that stops the address's mails: a secret for `export`.
    list_unsubscribe: Mapped[str] = mapped_column(
        String(1000), default="", server_default="", info={"secret": True}
    )

    __table_args__ = (
        Index("ix_outbox_mail_due", "sent_at", "next_attempt_at"),
        Index("ix_outbox_mail_about", "about_address"),
        Index("ix_outbox_mail_recipient", "recipient_address"),
        Index("ix_outbox_mail_comment", "comment_id"),
    )

    @validates("recipient")
    def _keep_address(self, key: str, value: str | None) -> str | None:
        self.recipient_address = normalize_address(value)
        return value

    @classmethod
    def due_now(cls, recipient: str, subject: str, body: str, *, now: datetime, **fields):
        """A mail for the next ``send-mail`` run (the subject cut to its column); ``fields``
        are the rest: ``kind``, ``comment_id``, ``about_address``, ``html``,
        ``list_unsubscribe``."""
        return cls(
            recipient=recipient,
            subject=subject[:300],
            body=body,
            created_at=now,
            next_attempt_at=now,
            **fields,
        )


class SubscriptionKind(enum.StrEnum):
    REPLIES = "replies"  # replies to the subscriber's comment
    ARTICLE = "article"  # every new published comment on the article


class Subscriber(db.Model):
    """An address that asked for notifications: confirmed once (double opt-in), it stays
    confirmed for later subscriptions until it unsubscribes from everything."""

    id: Mapped[int] = mapped_column(primary_key=True)
    # identity.normalize_address: export and erasure match the person exactly.
    address: Mapped[str] = mapped_column(String(254), unique=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # At most one confirmation mail per address and day, whatever is posted.
    confirmation_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Subscription(db.Model):
    """One wish to hear of new comments: on a comment's replies, or on a whole article."""

    id: Mapped[int] = mapped_column(primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscriber.id", ondelete="CASCADE"))
    kind: Mapped[SubscriptionKind] = mapped_column(stored_enum(SubscriptionKind))
    article_id: Mapped[int] = mapped_column(ForeignKey("article.id", ondelete="CASCADE"))
    # The comment posted with the box ticked (its replies are what ``replies`` waits for).
    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254))  # where the mail goes, as typed
    address: Mapped[str] = mapped_column(String(254), index=True)  # normalize_address(email)
    language: Mapped[str] = mapped_column(String(8))  # the mails speak what the form spoke
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    subscriber: Mapped[Subscriber] = relationship()
    article: Mapped[Article] = relationship()

    __table_args__ = (
        Index("ix_subscription_article", "article_id", "kind"),
        Index("ix_subscription_comment", "comment_id"),
    )


class Notification(db.Model):
    """A published comment one address is to be told about, waiting for its batch.

    Kept after its mail is written (``mailed_at``), so nobody hears of a comment twice, when
    it is approved again after an undo or a restore.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(String(254))  # normalize_address
    article_id: Mapped[int] = mapped_column(ForeignKey("article.id", ondelete="CASCADE"))
    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.id", ondelete="CASCADE"))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    mailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The outbox mail that quotes the comment: an erasure or a withdrawal finds it by this.
    # A plain number, as the outbox is purged after sending (OUTBOX_RETENTION_DAYS).
    mail_id: Mapped[int | None] = mapped_column()

    __table_args__ = (
        Index("ix_notification_once", "address", "comment_id", unique=True),
        Index("ix_notification_due", "mailed_at", "due_at"),
        Index("ix_notification_mail", "mail_id"),
    )
