"""Rules for threads and comments: opening a thread, posting, and reading it threaded.

A service: it takes plain values (keys, fields, an anonymized address, ``now``), never the
request, raises the domain errors of ``errors``, and owns the commit.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, or_, select

from .errors import ArticleNotFound, CommentRejected, ThreadClosed
from .extensions import db
from .models import Article, Comment, CommentStatus
from .moderation import held_reasons
from .privacy import avatar_key
from .sanitize import clean_html


@dataclass(frozen=True)
class Draft:
    """A comment as a reader sent it, after the form's checks."""

    comment: str
    author: str
    email: str
    website: str = ""
    parent_id: int | None = None


@dataclass
class Node:
    """A comment in its place in the thread, with the replies shown under it."""

    comment: Comment
    children: list[Node] = field(default_factory=list)


@dataclass
class Thread:
    article: Article
    nodes: list[Node]
    approved_count: int
    page: int
    pages: int


def find_article(key: str) -> Article:
    """The article with this key, or ArticleNotFound."""
    article = db.session.execute(select(Article).where(Article.key == key)).scalar_one_or_none()
    if article is None:
        raise ArticleNotFound(_l("There is no discussion for this article."), field="article")
    return article


def open_article(key: str, *, title: str = "", url: str = "", may_create: bool) -> Article:
    """The article with this key; created on first use only when the caller may create it."""
    try:
        return find_article(key)
    except ArticleNotFound:
        if not may_create:
            raise
    article = Article(key=key, title=title.strip()[:300] or key, url=url.strip()[:500])
    db.session.add(article)
    db.session.commit()
    return article


def create_article(key: str, *, title: str, url: str = "", closed: bool = False) -> Article:
    """Register an article ahead of its first reader (the site owner's command)."""
    article = db.session.execute(select(Article).where(Article.key == key)).scalar_one_or_none()
    if article is None:
        article = Article(key=key)
        db.session.add(article)
    article.title, article.url, article.closed = title, url, closed
    db.session.commit()
    return article


def is_closed(article: Article, now: datetime) -> bool:
    """Closed by flag, or older than ``CLOSE_AFTER_DAYS`` (0 keeps threads open)."""
    days = current_app.config["CLOSE_AFTER_DAYS"]
    return article.closed or bool(days and article.created_at < now - timedelta(days=days))


def post_comment(article: Article, draft: Draft, *, ip: str, now: datetime) -> Comment:
    """Store a new comment or reply, published or held as the moderation policy says."""
    if is_closed(article, now):
        raise ThreadClosed(_l("Comments are closed."))
    parent = _parent_for(article, draft.parent_id)
    html = clean_html(draft.comment)
    if not html:
        raise CommentRejected(_l("Write a comment."), field="comment")
    reasons = held_reasons(current_app.config, author=draft.author, email=draft.email, html=html)
    max_depth = current_app.config["MAX_DEPTH"]
    comment = Comment(
        article=article,
        parent=parent,
        root_id=(parent.root_id or parent.id) if parent else None,
        # A reply to the deepest level is kept at that level, as WordPress shows it.
        depth=min(parent.depth + 1, max_depth) if parent else 1,
        status=CommentStatus.PENDING if reasons else CommentStatus.APPROVED,
        held_for="\n".join(reasons),
        text=draft.comment,
        html=html,
        author=draft.author,
        email=draft.email,
        website=draft.website,
        ip=ip,
        avatar=avatar_key(current_app.config["SECRET_KEY"], draft.email, draft.author),
        created_at=now,
    )
    db.session.add(comment)
    db.session.commit()
    return comment


def _parent_for(article: Article, parent_id: int | None) -> Comment | None:
    if parent_id is None:
        return None
    parent = db.session.get(Comment, parent_id)
    if parent is None or parent.article_id != article.id:
        raise CommentRejected(
            _l("The comment you reply to does not exist in this thread."), field="parent"
        )
    if parent.status != CommentStatus.APPROVED:
        raise CommentRejected(
            _l("The comment you reply to has not been published yet, so it cannot be answered."),
            field="parent",
        )
    return parent


@dataclass(frozen=True)
class ThreadSummary:
    """What one cheap query tells about a thread: its counts, and a version of its contents."""

    approved_count: int
    top_count: int  # top-level comments this reader sees (pages are counted in these)
    version: str  # changes whenever anything shown in the thread may have changed


def thread_summary(article: Article, *, own_ids: frozenset[int] = frozenset()) -> ThreadSummary:
    """Counts and version of a thread in ONE query, without reading its comments.

    The version is made of the number of comments in each state and the latest time any of
    them was written, edited or decided, so a new, edited, approved, rejected or deleted
    comment changes it, whichever code path made the change; the article's own fields are
    part of it too. A reader's cached copy is still good while the version is the same.
    """
    visible = Comment.status == CommentStatus.APPROVED
    if own_ids:
        visible = or_(visible, Comment.id.in_(own_ids))
    row = db.session.execute(
        select(
            func.count(Comment.id),
            func.coalesce(
                func.sum(case((Comment.status == CommentStatus.APPROVED, 1), else_=0)), 0
            ),
            func.coalesce(func.sum(case((visible & Comment.parent_id.is_(None), 1), else_=0)), 0),
            func.max(Comment.created_at),
            func.max(Comment.edited_at),
            func.max(Comment.decided_at),
            func.max(Comment.id),
        ).where(Comment.article_id == article.id)
    ).one()
    total, approved, top, *latest = row
    parts = [article.key, article.title, article.url, article.closed, article.version]
    parts += [total, approved, *latest]
    version = hashlib.blake2b(repr(parts).encode(), digest_size=12).hexdigest()
    return ThreadSummary(int(approved), int(top), version)


def page_and_pages(summary: ThreadSummary, page: int) -> tuple[int, int]:
    """The page asked for, kept within the thread's pages, and how many pages there are."""
    pages = max(1, -(-summary.top_count // current_app.config["COMMENTS_PER_PAGE"]))
    return min(max(1, page), pages), pages


def load_thread(
    article: Article,
    *,
    own_ids: frozenset[int] = frozenset(),
    page: int = 1,
    summary: ThreadSummary | None = None,
) -> Thread:
    """A page of the thread: its top-level comments and every reply under them.

    Always three queries, whatever the thread's size: the summary (counts; pass it in when
    it was already read for the ETag), the page's top-level comments, and their replies.
    Others see approved comments; a reader also sees their own pending ones.
    """
    config = current_app.config
    visible = Comment.status == CommentStatus.APPROVED
    if own_ids:
        visible = or_(visible, Comment.id.in_(own_ids))
    if summary is None:
        summary = thread_summary(article, own_ids=own_ids)
    per_page = config["COMMENTS_PER_PAGE"]
    page, pages = page_and_pages(summary, page)
    order = Comment.created_at.desc() if config["NEWEST_FIRST"] else Comment.created_at
    top = list(
        db.session.execute(
            select(Comment)
            .where(Comment.article_id == article.id, Comment.parent_id.is_(None), visible)
            .order_by(order, Comment.id)
            .limit(per_page)
            .offset((page - 1) * per_page)
        ).scalars()
    )
    replies = []
    if top:
        replies = list(
            db.session.execute(
                select(Comment).where(Comment.root_id.in_([c.id for c in top]), visible)
            ).scalars()
        )
        # Sorted here, not in SQL: an ORDER BY created_at lets SQLite (which keeps no
        # statistics) walk every approved comment of the site in ix_comment_queue's order
        # instead of looking up this page's replies in ix_comment_root (10x slower, measured).
        replies.sort(key=lambda c: (c.created_at, c.id))
    return Thread(article, _threaded(top, replies), summary.approved_count, page, pages)


def _threaded(top: list[Comment], replies: list[Comment]) -> list[Node]:
    """Nest replies under the comment they are shown under.

    A reply kept at the deepest level (its depth equals its parent's) is shown beside its
    parent, under the nearest ancestor that is less deep. A reply whose parent is not
    visible is shown under the nearest visible ancestor, never lost.
    """
    nodes = {c.id: Node(c) for c in [*top, *replies]}
    for reply in replies:
        holder = nodes.get(reply.parent_id)
        while holder is not None and holder.comment.depth >= reply.depth:
            holder = nodes.get(holder.comment.parent_id)
        if holder is None:
            holder = nodes.get(reply.root_id)
        if holder is not None:
            holder.children.append(nodes[reply.id])
    return [nodes[c.id] for c in top]


def page_of(comment: Comment, own_ids: frozenset[int] = frozenset()) -> int:
    """The page of the thread on which this comment is shown."""
    root = db.session.get(Comment, comment.root_id) if comment.root_id else comment
    visible = Comment.status == CommentStatus.APPROVED
    if own_ids:
        visible = or_(visible, Comment.id.in_(own_ids))
    if current_app.config["NEWEST_FIRST"]:
        before = (Comment.created_at > root.created_at) | (
            (Comment.created_at == root.created_at) & (Comment.id < root.id)
        )
    else:
        before = (Comment.created_at < root.created_at) | (
            (Comment.created_at == root.created_at) & (Comment.id < root.id)
        )
    earlier = db.session.execute(
        select(func.count()).where(
            Comment.article_id == comment.article_id,
            Comment.parent_id.is_(None),
            visible,
            before,
        )
    ).scalar_one()
    return earlier // current_app.config["COMMENTS_PER_PAGE"] + 1
