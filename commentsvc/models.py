"""The stored things: articles (threads) and their comments."""

from __future__ import annotations

import enum
from datetime import UTC, datetime

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, Text, event, update
from sqlalchemy import false as sa_false
from sqlalchemy.orm import (
    Mapped,
    ORMExecuteState,
    Session,
    mapped_column,
    relationship,
    validates,
)
from sqlalchemy.types import DateTime, TypeDecorator

from commentsvc.extensions import db
from commentsvc.privacy.identity import normalize_address


def utcnow() -> datetime:
    """The current time, timezone-aware UTC (a callable, evaluated per row)."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp that always comes back timezone-aware UTC, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use utcnow()")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC) if value is not None else None


class CommentStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    SPAM = "spam"
    TRASH = "trash"


class AuditAction(enum.StrEnum):
    """What a record of the audit log says was done; the values are what is stored."""

    APPROVE = "approve"
    TRASH = "trash"
    SPAM = "spam"
    RESTORE = "restore"
    EDIT = "edit"
    DELETE = "delete"
    STAFF_REPLY = "staff-reply"
    UNSUBSCRIBE = "unsubscribe"
    UNDO = "undo"
    REPORT_HOLD = "report-hold"  # readers' reports took a published comment back to the queue
    REPORTS_KEPT = "reports-kept"  # a moderator dismissed the reports; the comment stays
    SETTING = "setting"
    ACCOUNT_CREATED = "account-created"
    ACCOUNT_DISABLED = "account-disabled"
    ACCOUNT_ENABLED = "account-enabled"
    ROLE_CHANGED = "role-changed"
    PASSWORD_SET = "password-set"  # noqa: S105 (an action, not a password)
    PASSWORD_RESET = "password-reset"  # noqa: S105
    PRIVACY_EXPORT = "privacy-export"
    PRIVACY_ERASE = "privacy-erase"
    PURGE = "purge"


ARTICLE_TITLE_MAX = 300
ARTICLE_URL_MAX = 500


class Article(db.Model):
    """A thread: the comments under one article of the host site, found by its key."""

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    title: Mapped[str] = mapped_column(String(ARTICLE_TITLE_MAX), default="")
    url: Mapped[str] = mapped_column(String(ARTICLE_URL_MAX), default="")
    closed: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Opened by a reader's request (not by the site owner or an import): these count
    # against MAX_NEW_ARTICLES_PER_DAY.
    created_on_first_use: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    # One more on every write to the article's comments (see bump_thread_versions),
    # so a reader's cached copy of the thread is checked without counting its comments.
    version: Mapped[int] = mapped_column(default=0, server_default="0")

    comments: Mapped[list[Comment]] = relationship(back_populates="article")

    __table_args__ = (Index("ix_article_first_use", "created_on_first_use", "created_at"),)


class Comment(db.Model):
    """One comment or reply, with its text as typed and the sanitized HTML shown to readers."""

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("article.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id", ondelete="SET NULL"))
    # The top-level comment this one answers, directly or not: a page of a thread is its
    # top-level comments plus everything under them, read in one query by this column.
    root_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id", ondelete="SET NULL"))
    depth: Mapped[int] = mapped_column(default=1)  # 1 for a top-level comment
    status: Mapped[CommentStatus] = mapped_column(
        Enum(
            CommentStatus,
            native_enum=False,
            length=16,
            values_callable=lambda e: [m.value for m in e],
            validate_strings=True,
        ),
        default=CommentStatus.PENDING,
    )
    text: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(245))
    email: Mapped[str] = mapped_column(String(100), default="")  # private: moderators only
    # The email as identity.normalize_address gives it: what export and erasure match exactly.
    address: Mapped[str] = mapped_column(String(254), default="", server_default="", index=True)
    website: Mapped[str] = mapped_column(String(200), default="")
    ip: Mapped[str] = mapped_column(String(64), default="")  # anonymized before storing
    held_for: Mapped[str] = mapped_column(String(500), default="")  # reason codes, one a line
    avatar: Mapped[str] = mapped_column(String(32), default="")  # keyed hash, not the email
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(200))
    # A moderator's reply, published at once and marked as the site's own voice.
    by_staff: Mapped[bool] = mapped_column(default=False, server_default=sa_false())

    article: Mapped[Article] = relationship(back_populates="comments")
    parent: Mapped[Comment | None] = relationship(remote_side=[id], foreign_keys=[parent_id])

    __table_args__ = (
        # The thread read: one article's comments of one status, in order.
        Index("ix_comment_thread", "article_id", "status", "created_at"),
        # Policy look-ups: has this author an approved comment? is this a duplicate?
        Index("ix_comment_email_author", "email", "author"),
        Index("ix_comment_parent", "parent_id"),
        Index("ix_comment_root", "root_id", "status"),
    )

    @validates("email")
    def _keep_address(self, key: str, value: str | None) -> str | None:
        self.address = normalize_address(value)
        return value


# --- moderators, the audit log, login throttling, settings, the mail outbox ---


class ModeratorRole(enum.StrEnum):
    ADMIN = "admin"
    MODERATOR = "moderator"


def _enum(cls):
    return Enum(
        cls,
        native_enum=False,
        length=16,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


class Moderator(db.Model):
    """A person who works the queue; admins also manage moderators and the policy settings."""

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(200), unique=True)  # a name or an email
    email: Mapped[str] = mapped_column(String(200), default="")  # where queue mail goes
    address: Mapped[str] = mapped_column(String(254), default="", server_default="")
    display_name: Mapped[str] = mapped_column(String(245), default="")  # on staff replies
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[ModeratorRole] = mapped_column(_enum(ModeratorRole))
    active: Mapped[bool] = mapped_column(default=True)
    notify: Mapped[bool] = mapped_column(default=False)  # mail me when a comment is held
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Kept in every session cookie and compared on each request: raising it (logout, a new
    # password, disabling, a new role) ends every session of the account on every instance.
    session_epoch: Mapped[int] = mapped_column(default=0, server_default="0")
    # Set by an admin's reset: the temporary password only opens the page that changes it.
    reset_pending: Mapped[bool] = mapped_column(default=False, server_default=sa_false())

    @validates("email")
    def _keep_address(self, key: str, value: str | None) -> str | None:
        self.address = normalize_address(value)
        return value

    @property
    def is_admin(self) -> bool:
        return self.role == ModeratorRole.ADMIN

    @property
    def public_name(self) -> str:
        """The name a staff reply is published under: never the login when it is an email."""
        if self.display_name:
            return self.display_name
        return self.username.split("@")[0] if "@" in self.username else self.username


class ModerationEvent(db.Model):
    """One decision on a comment: who, when, what, and the status before and after.

    ``comment_id`` is a plain number, not a foreign key, so the record of a permanent
    deletion outlives the comment. It is empty for an action on no single comment (a setting,
    an account, a privacy export or erasure, a purge); ``details`` then holds counts and
    numbers, never the data.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int | None] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(32))  # an AuditAction value
    before: Mapped[str | None] = mapped_column(String(16))
    after: Mapped[str | None] = mapped_column(String(16))
    # What happened as fields, turned into a sentence only when shown (commentsvc/audit.py):
    # for an edit {"text": the text before it} (so the edit can be undone), for an undo
    # {"event": the undone record's id}, for a setting {"key", "old", "new"}, ...
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    undone: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LoginThrottle(db.Model):
    """Failed logins counted per account-and-address pair and per address (shared by instances)."""

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Setting(db.Model):
    """A policy setting changed by an admin; overrides the configuration file for every instance."""

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)  # JSON
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(200), default="")


class OutboxMail(db.Model):
    """A mail waiting to be sent, written in the same transaction as what it tells about."""

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(200))
    recipient_address: Mapped[str] = mapped_column(String(254), default="", server_default="")
    # The person the mail is about (the author of the comment it quotes), normalized.
    about_address: Mapped[str] = mapped_column(String(254), default="", server_default="")
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    comment_id: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A worker leases a mail before sending it, so two workers never send the same one.
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
    # A reader's mail (notify/subscriptions.py): an HTML part beside the text, and the address
    # that stops it, sent as List-Unsubscribe with RFC 8058's one-click POST.
    html: Mapped[str] = mapped_column(Text, default="", server_default="")
    # It carries a signed token that stops the address's mails: a secret for `export`.
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
        are the rest: ``comment_id``, ``about_address``, ``html``, ``list_unsubscribe``."""
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
    # The secret in the confirmation link; replaced once used, so a link confirms only once.
    # A secret: left out of `export` unless --with-secrets (moving/backup.is_secret).
    confirm_nonce: Mapped[str] = mapped_column(String(64), default="", info={"secret": True})
    # At most one confirmation mail per address and day, whatever is posted.
    confirmation_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Subscription(db.Model):
    """One wish to hear of new comments: on a comment's replies, or on a whole article."""

    id: Mapped[int] = mapped_column(primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscriber.id", ondelete="CASCADE"))
    kind: Mapped[SubscriptionKind] = mapped_column(_enum(SubscriptionKind))
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


class ImportMapping(db.Model):
    """Which article or comment an imported source record became.

    Keyed on the source (``wordpress <site url>``, ``disqus <forum>``) and its own id, so
    importing the same file again adds nothing, and an interrupted import can be run again.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(16))  # "article" or "comment"
    source_id: Mapped[str] = mapped_column(String(200))
    target_id: Mapped[int]
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        Index("ix_import_mapping_source", "source", "kind", "source_id", unique=True),
    )


# Indexes for the hot reads beside the core's (ix_comment_thread, ix_comment_root).
# A page of a thread: one article's approved top-level comments in order. Partial, so the
# index holds top-level comments only and the planner reads exactly one page of it.
Index(
    "ix_comment_top",
    Comment.article_id,
    Comment.status,
    Comment.created_at,
    Comment.id,
    sqlite_where=Comment.parent_id.is_(None),
    postgresql_where=Comment.parent_id.is_(None),
)
# The moderation queue: comments of one status, oldest first, across all articles.
Index("ix_comment_queue", Comment.status, Comment.created_at)


@event.listens_for(Session, "before_flush")
def bump_thread_versions(session: Session, flush_context, instances) -> None:
    """Every comment written, changed or deleted through the session, and every change of an
    article's own fields (title, address, closed), moves the thread's version, in the same
    transaction, whichever code path (form, API, moderation, import, command) made the change;
    every worker and instance sees it alike, since it lives in the database (readcache.py)."""
    articles = set()
    for row in (*session.new, *session.dirty, *session.deleted):
        if row in session.dirty and not session.is_modified(row):
            continue
        if isinstance(row, Article) and row in session.dirty:
            articles.add(row.id)
        elif isinstance(row, Comment):
            article_id = row.article_id or (row.article.id if row.article else None)
            if article_id is not None:
                articles.add(article_id)
    if articles:
        session.execute(
            update(Article)
            .where(Article.id.in_(articles))
            .values(version=Article.version + 1)
            .execution_options(synchronize_session=False)
        )


@event.listens_for(Session, "do_orm_execute")
def bump_versions_on_bulk_writes(state: ORMExecuteState) -> None:
    """A bulk INSERT, UPDATE or DELETE of comments (an import, a privacy erasure) does not say
    which threads it touched: every thread gets a new version. Raw SQL bypasses this."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    mapper = state.bind_mapper
    if mapper is None or mapper.class_ is not Comment:
        return
    move_every_thread(state.session)


def move_every_thread(session: Session) -> None:
    """A new version for every thread: a bulk write, or a setting that changes what every
    thread shows (settings.py)."""
    session.execute(
        update(Article)
        .values(version=Article.version + 1)
        .execution_options(synchronize_session=False)
    )


# --- reader reports and notice-and-action (DSA art. 16, 17) ---


class ReportReason(enum.StrEnum):
    """Why a reader reports a comment; also the ground chosen when a moderator removes one."""

    ILLEGAL = "illegal"
    HARASSMENT = "harassment"
    SPAM = "spam"
    PERSONAL_DATA = "personal-data"
    OFF_TOPIC = "off-topic"
    OTHER = "other"


class ReportOutcome(enum.StrEnum):
    KEPT = "kept"  # the comment stays published; the report is dismissed
    REMOVED = "removed"  # the comment went to the trash after the report


class Report(db.Model):
    """One reader's report of one comment (a notice when the reason is ``illegal``).

    ``comment_id`` is a plain number, as in the audit log, so that the counts the
    transparency report needs outlive a purged comment. ``purge`` clears the personal
    columns (name, addresses, explanation, reporter) of reports decided long ago; the
    reason, times and outcome stay.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(index=True)
    reason: Mapped[ReportReason] = mapped_column(_enum(ReportReason))
    explanation: Mapped[str] = mapped_column(Text, default="")
    name: Mapped[str] = mapped_column(String(245), default="")
    email: Mapped[str] = mapped_column(String(254), default="")  # as typed, for mail
    address: Mapped[str] = mapped_column(String(254), default="", index=True)  # normalized
    # A keyed hash of the reporter's browser (a random id in their session or storage): one
    # browser counts once per comment without the service storing anything it could follow.
    # The column is named a token so that `export` leaves it out (moving/backup.SECRET_COLUMNS):
    # it links one browser's reports to each other, which a backup copy need not show.
    reporter: Mapped[str] = mapped_column("reporter_token", String(64), default="")
    good_faith: Mapped[bool] = mapped_column(default=False)
    lang: Mapped[str] = mapped_column(String(8), default="sv")  # the notifier's language
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(200))
    outcome: Mapped[ReportOutcome | None] = mapped_column(_enum(ReportOutcome))
    # The ground a moderator chose when removing the comment (one of ReportReason).
    decision_reason: Mapped[str | None] = mapped_column(String(16))
    purged: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (Index("ix_report_open", "decided_at", "comment_id"),)


class StatementOfReasons(db.Model):
    """What the author of a removed comment is told (DSA art. 17), kept for the moderators."""

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(index=True)
    recipient: Mapped[str] = mapped_column(String(254), default="")  # "" when none was given
    address: Mapped[str] = mapped_column(String(254), default="", index=True)  # normalized
    reason: Mapped[str] = mapped_column(String(16))  # one of ReportReason
    ground: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
