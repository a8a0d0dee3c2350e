"""Reading a thread: its summary and version, its pages, and its comments nested."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import aliased

from commentsvc.extensions import db
from commentsvc.memory import worker_memory
from commentsvc.models.threads import Article, Comment, CommentStatus
from commentsvc.sites.config import config_for
from commentsvc.threads.replies import RepliesFrom, bounded_replies, visible_to


@dataclass(frozen=True)
class Placeholder:
    """A removed comment whose published replies are still shown ("Kommentaren har tagits
    bort"): its place in the thread and nothing else, so no name, text or email can leak."""

    id: int
    depth: int
    parent_id: int | None
    created_at: datetime


@dataclass
class Node:
    """A comment in its place in the thread, with the replies shown under it.

    A top-level comment shows a bounded number of its replies (``REPLIES_PER_COMMENT``, and
    ``REPLIES_PER_PAGE`` on the whole page): ``more_replies`` says how many more there are,
    read from ``replies_after`` on (``RepliesFrom``).
    """

    comment: Comment | Placeholder
    children: list[Node] = field(default_factory=list)
    more_replies: int = 0
    replies_after: RepliesFrom | None = None

    @property
    def placeholder(self) -> bool:
        return isinstance(self.comment, Placeholder)


@dataclass
class Thread:
    article: Article
    nodes: list[Node]
    approved_count: int
    page: int
    pages: int
    # A page of one comment's further replies ("more replies"), not a page of the thread.
    replies_from: RepliesFrom | None = None


def _shown_top_level(own_ids: frozenset[int]):
    """A top-level comment is shown when visible, or as a placeholder when a reply under it is."""
    reply = aliased(Comment)
    # A scalar subquery, not EXISTS: PostgreSQL answers an EXISTS under OR with a hash of the
    # root_id of every approved comment of the site (115,000 rows, 25 ms for one page, read
    # in bench/EXPLAIN.md); this is looked up in ix_comment_root for hidden comments only.
    a_visible_reply = (
        select(reply.id)
        .where(reply.root_id == Comment.id, visible_to(own_ids, reply))
        .limit(1)
        .scalar_subquery()
    )
    return Comment.parent_id.is_(None) & or_(visible_to(own_ids), a_visible_reply.is_not(None))


@dataclass(frozen=True)
class ThreadSummary:
    """What one cheap query tells about a thread: its counts, with the thread's version."""

    approved_count: int
    top_count: int  # top-level comments this reader sees (pages are counted in these)
    version: int  # Article.version: moves with every change a reader could see (models.py)


def thread_summary(article: Article, *, own_ids: frozenset[int] = frozenset()) -> ThreadSummary:
    """Counts of a thread in ONE query, without reading its comments, and its version.

    The version is the article's (``Article.version``), read with the article and before any
    comment: every write that a reader could see moves it in the writing transaction, so a
    reader's cached copy, or a worker's kept answer, is good while it is the same.
    """
    version = article.version
    approved, top = db.session.execute(
        select(
            func.coalesce(
                func.sum(case((Comment.status == CommentStatus.APPROVED, 1), else_=0)), 0
            ),
            func.coalesce(func.sum(case((_shown_top_level(own_ids), 1), else_=0)), 0),
        ).where(Comment.article_id == article.id)
    ).one()
    return ThreadSummary(int(approved), int(top), version)


def page_and_pages(summary: ThreadSummary, page: int, *, per_page: int) -> tuple[int, int]:
    """The page asked for, kept within the thread's pages, and how many pages there are."""
    pages = max(1, -(-summary.top_count // per_page))
    return min(max(1, page), pages), pages


def _top_order(newest: bool) -> tuple:
    """The order of a thread's top-level comments: by time (newest first when configured),
    then by id, so two comments of the same moment always come in the same order."""
    return (Comment.created_at.desc() if newest else Comment.created_at, Comment.id)


PageStart = tuple[datetime, int]  # (created_at, id) of a page's first top-level comment


def _page_starts(article: Article, own_ids: frozenset[int]) -> tuple[PageStart, ...]:
    """Where each page of the thread begins, in ONE query over the thread's top-level comments
    (numbered in reading order, every COMMENTS_PER_PAGE-th kept)."""
    config = config_for(article.site_id)
    per_page = config["COMMENTS_PER_PAGE"]
    numbered = (
        select(
            Comment.created_at,
            Comment.id,
            func.row_number().over(order_by=_top_order(config["NEWEST_FIRST"])).label("n"),
        )
        .where(Comment.article_id == article.id, _shown_top_level(own_ids))
        .subquery()
    )
    rows = db.session.execute(
        select(numbered.c.created_at, numbered.c.id)
        .where((numbered.c.n - 1) % per_page == 0)
        .order_by(numbered.c.n)
    ).all()
    return tuple((created_at, id_) for created_at, id_ in rows)


def page_starts(article: Article, own_ids: frozenset[int], summary: ThreadSummary):
    """Where each page begins, kept per worker for as long as the thread's version is the same;
    None when it cannot be kept (a reader with pending comments of their own has other pages,
    or THREAD_CACHE_ENTRIES is 0): finding it for one read costs what OFFSET does, plus a query.
    """
    store = None if own_ids else worker_memory()
    if store is None:
        return None
    config = config_for(article.site_id)
    key = (article.id, summary.version, config["COMMENTS_PER_PAGE"], config["NEWEST_FIRST"])
    return store.get_or_make("page starts", key, lambda: _page_starts(article, own_ids))


def _from_start(start: PageStart, newest: bool):
    """Top-level comments at or after ``start`` in reading order.

    The plain bound on created_at repeats what the OR implies: it is what lets the database
    seek to the page in ix_comment_top instead of filtering the thread from its beginning.
    """
    created_at, id_ = start
    if newest:
        later = Comment.created_at < created_at
        bound = Comment.created_at <= created_at
    else:
        later = Comment.created_at > created_at
        bound = Comment.created_at >= created_at
    return bound & or_(later, (Comment.created_at == created_at) & (Comment.id >= id_))


def _before_start(start: PageStart, newest: bool):
    """Top-level comments before ``start`` in reading order (the page after ends there)."""
    created_at, id_ = start
    if newest:
        earlier = Comment.created_at > created_at
        bound = Comment.created_at >= created_at
    else:
        earlier = Comment.created_at < created_at
        bound = Comment.created_at <= created_at
    return bound & or_(earlier, (Comment.created_at == created_at) & (Comment.id < id_))


def load_thread(
    article: Article,
    *,
    own_ids: frozenset[int] = frozenset(),
    page: int = 1,
    summary: ThreadSummary | None = None,
    replies_from: RepliesFrom | None = None,
) -> Thread:
    """A page of the thread: its top-level comments and a bounded number of replies under them
    (or, with ``replies_from``, one top-level comment and its next replies from there).

    A few queries, whatever the thread's size: the summary (counts; pass it in when it was
    already read for the ETag), the page's top-level comments, and their replies; a page after
    the first needs where the pages begin, read once per version of the thread (see
    ``page_starts``). Others see approved comments; a reader also sees their own pending ones.
    A removed comment with published replies is shown as a placeholder, so the thread keeps
    its shape.
    """
    config = config_for(article.site_id)
    visible = visible_to(own_ids)
    shown_top = _shown_top_level(own_ids)
    if summary is None:
        summary = thread_summary(article, own_ids=own_ids)
    per_page = config["COMMENTS_PER_PAGE"]
    page, pages = page_and_pages(summary, page, per_page=per_page)
    newest = config["NEWEST_FIRST"]
    query = (
        select(Comment, visible)
        .where(Comment.article_id == article.id, shown_top)
        .order_by(*_top_order(newest))
        .limit(per_page)
    )
    if replies_from is not None:
        query = query.where(Comment.id == replies_from.root_id)
    elif page > 1:
        # Keyset paging: the page is read from where it begins to where the next begins, so
        # the last page of a long thread costs what the first does (OFFSET reads and skips
        # every earlier comment). Page 1 needs no start, and no extra query.
        starts = page_starts(article, own_ids, summary) or ()
        if len(starts) >= page:
            query = query.where(_from_start(starts[page - 1], newest))
            if len(starts) > page:
                query = query.where(_before_start(starts[page], newest))
        else:  # starts not kept, or the thread changed since the summary: count as before
            query = query.offset((page - 1) * per_page)
    top = list(db.session.execute(query).all())
    replies, more = bounded_replies([c.id for c, _ in top], own_ids, replies_from, config=config)
    nodes = _threaded(top, replies)
    for node in nodes:
        node.more_replies, node.replies_after = more.get(node.comment.id, (0, None))
    thread = Thread(article, nodes, summary.approved_count, page, pages, replies_from)
    return thread


def _threaded(top: list, replies: list) -> list[Node]:
    """Nest replies under the comment they are shown under.

    A reply kept at the deepest level (its depth equals its parent's) is shown beside its
    parent, under the nearest ancestor that is less deep. A hidden comment is shown as a
    placeholder when a visible reply is under it, and left out otherwise.
    """
    rows = [*top, *replies]
    by_id = {c.id: c for c, _ in rows}
    keep = {c.id for c, shown in rows if shown}
    for c, shown in rows:
        if shown:
            ancestor = by_id.get(c.parent_id) if c.parent_id else None
            while ancestor is not None and ancestor.id not in keep:
                keep.add(ancestor.id)
                ancestor = by_id.get(ancestor.parent_id) if ancestor.parent_id else None
            if c.root_id in by_id:
                keep.add(c.root_id)
    nodes = {
        c.id: Node(c if shown else Placeholder(c.id, c.depth, c.parent_id, c.created_at))
        for c, shown in rows
        if c.id in keep
    }
    for reply, _ in replies:
        if reply.id not in nodes:
            continue
        holder = nodes.get(reply.parent_id)
        while holder is not None and holder.comment.depth >= reply.depth:
            holder = nodes.get(holder.comment.parent_id)
        if holder is None:
            holder = nodes.get(reply.root_id)
        if holder is not None:
            holder.children.append(nodes[reply.id])
    return [nodes[c.id] for c, _ in top if c.id in nodes]


def page_of(comment: Comment, own_ids: frozenset[int] = frozenset()) -> int:
    """The page of the thread on which this comment is shown."""
    root = db.session.get(Comment, comment.root_id) if comment.root_id else comment
    config = config_for(comment.article.site_id)
    if config["NEWEST_FIRST"]:
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
            _shown_top_level(own_ids),
            before,
        )
    ).scalar_one()
    return earlier // config["COMMENTS_PER_PAGE"] + 1


def replies_from_for(comment: Comment) -> RepliesFrom | None:
    """Where a page of further replies that begins at ``comment`` starts, when the thread's
    own page may not show it (None: it does).

    The thread's page shows every top-level comment's first replies: at least
    ``REPLIES_PER_COMMENT`` of them, or fewer when ``REPLIES_PER_PAGE`` is shared by a full
    page of comments. A reply further down is reached by a "more replies" page, so a link to
    it (a notification's) opens the page of its comment's replies that begins with it.
    """
    if not comment.root_id or comment.root_id == comment.id:
        return None
    config = config_for(comment.article.site_id)
    shown_for_sure = min(
        config["REPLIES_PER_COMMENT"],
        max(1, config["REPLIES_PER_PAGE"] // config["COMMENTS_PER_PAGE"]),
    )
    earlier = db.session.execute(
        select(func.count()).where(
            Comment.root_id == comment.root_id,
            Comment.id != comment.root_id,
            visible_to(frozenset()),
            (Comment.created_at < comment.created_at)
            | ((Comment.created_at == comment.created_at) & (Comment.id < comment.id)),
        )
    ).scalar_one()
    if earlier < shown_for_sure:
        return None
    return RepliesFrom(comment.root_id, (comment.created_at, comment.id - 1))
