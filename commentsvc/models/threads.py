"""Articles (threads) and their comments, the import's id mappings, and the one version per
thread that every change a reader could see moves, in the writing transaction."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, String, Text, event, update
from sqlalchemy import false as sa_false
from sqlalchemy.orm import (
    Mapped,
    ORMExecuteState,
    Session,
    mapped_column,
    relationship,
    validates,
)

from commentsvc.extensions import db
from commentsvc.models.base import UTCDateTime, utcnow
from commentsvc.models.sites import DEFAULT_SITE
from commentsvc.privacy.identity import normalize_address


class CommentStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    SPAM = "spam"
    TRASH = "trash"


ARTICLE_TITLE_MAX = 300
ARTICLE_URL_MAX = 500


class Article(db.Model):
    """A thread: the comments under one article of a host site, found by its site and key."""

    id: Mapped[int] = mapped_column(primary_key=True)
    # A key is the host site's own name for the article: two sites may both have "nyhet-1".
    site_id: Mapped[str] = mapped_column(
        ForeignKey("site.id"), default=DEFAULT_SITE, server_default=DEFAULT_SITE
    )
    key: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(ARTICLE_TITLE_MAX), default="")
    url: Mapped[str] = mapped_column(String(ARTICLE_URL_MAX), default="")
    closed: Mapped[bool] = mapped_column(default=False)
    # Every new comment on this article waits for a moderator, whatever the site's policy.
    premoderated: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Opened by a reader's request (not by the site owner or an import): these count
    # against MAX_NEW_ARTICLES_PER_DAY.
    created_on_first_use: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    # One more on every write to the article's comments (see bump_thread_versions),
    # so a reader's cached copy of the thread is checked without counting its comments.
    version: Mapped[int] = mapped_column(default=0, server_default="0")

    comments: Mapped[list[Comment]] = relationship(back_populates="article")

    __table_args__ = (
        Index("ix_article_site_key", "site_id", "key", unique=True),
        Index("ix_article_first_use", "created_on_first_use", "created_at"),
    )


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
    # An editors' pick ("Redaktionens val"), set and unset by moderators.
    picked: Mapped[bool] = mapped_column(default=False, server_default=sa_false())

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


class PendingEdit(db.Model):
    """An author's new text for a comment that a moderator approved, waiting for a moderator.

    Approval is a moderator's judgement of the text they read: an author's later edit goes
    back to the queue as this revision while the approved text stays published. Approving it
    replaces the comment's text; rejecting it drops it. One per comment: a second edit
    replaces the first. Personal data like the comment's text (the gdpr sources reach it).
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comment.id", ondelete="CASCADE"), unique=True
    )
    text: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    held_for: Mapped[str] = mapped_column(String(500), default="")  # the policy's reason codes
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    comment: Mapped[Comment] = relationship()


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


def move_site_threads(session: Session, site_id: str) -> None:
    """A new version for every thread of one site: a setting of the site changed."""
    session.execute(
        update(Article)
        .where(Article.site_id == site_id)
        .values(version=Article.version + 1)
        .execution_options(synchronize_session=False)
    )
