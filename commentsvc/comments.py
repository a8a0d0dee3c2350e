"""Rules for threads and comments: opening a thread, posting, and reading it threaded.

A service: it takes plain values (keys, fields, an anonymized address, ``now``), never the
request, raises the domain errors of ``errors``, and flushes: the view or command that
serves the reader's action commits once (as in ``moderation``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import bindparam, case, func, or_, select
from sqlalchemy.orm import aliased

from . import subscriptions
from .dates import comment_time
from .errors import (
    ArticleNotFound,
    CommentNotFound,
    CommentRejected,
    EditNotAllowed,
    EditWindowClosed,
    InvalidRequest,
    ThreadClosed,
    TooManyNewArticles,
)
from .extensions import db
from .models import (
    ARTICLE_TITLE_MAX,
    ARTICLE_URL_MAX,
    Article,
    Comment,
    CommentStatus,
    SubscriptionKind,
    utcnow,
)
from .moderation import Signals, held_reasons, spam_reasons, withdraw_mail
from .privacy import avatar_key
from .sanitize import clean_html
from .settings import effective_config
from .weburls import BadWebUrl, clean_web_url, on_origins, safe_href


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
    """A comment in its place in the thread, with the replies shown under it."""

    comment: Comment | Placeholder
    children: list[Node] = field(default_factory=list)

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


def find_article(key: str) -> Article:
    """The article with this key, or ArticleNotFound."""
    article = db.session.execute(select(Article).where(Article.key == key)).scalar_one_or_none()
    if article is None:
        raise ArticleNotFound(_l("There is no discussion for this article."), field="article")
    return article


def open_article(
    key: str,
    *,
    title: str = "",
    url: str = "",
    may_create: bool,
    allowed_origins: list[str] | tuple[str, ...] = (),
    count_creation: Callable[[], None] | None = None,
    now: datetime | None = None,
) -> Article:
    """The article with this key; created on first use only when the caller may create it.

    A new thread's address must be an http(s) address on one of ``allowed_origins`` (the host
    sites), so a program cannot plant links to elsewhere in the moderation queue and the feeds.
    At most ``MAX_NEW_ARTICLES_PER_DAY`` threads are opened this way in 24 hours, and
    ``count_creation`` (the per-address rate limit) may refuse one with TooManyNewArticles.
    """
    try:
        return find_article(key)
    except ArticleNotFound:
        if not may_create:
            raise
    try:
        url = clean_web_url(url.replace("\x00", ""), limit=ARTICLE_URL_MAX, bare_domain=False)
    except BadWebUrl as error:
        raise InvalidRequest(error.message, field="url") from error
    if url and not on_origins(url, list(allowed_origins)):
        raise InvalidRequest(
            _l("The article's address must lie on the website that shows the comments."),
            field="url",
        )
    now = now or utcnow()
    _refuse_beyond_daily_cap(now)
    if count_creation is not None:
        count_creation()
    article = Article(
        key=key,
        title=plain_title(title) or key,
        url=url,
        created_at=now,
        created_on_first_use=True,
    )
    db.session.add(article)  # new in the session until the caller commits
    return article


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def plain_title(title: str) -> str:
    """A title as shown: control characters out, white space trimmed, at most the column."""
    return _CONTROL.sub("", title).strip()[:ARTICLE_TITLE_MAX]


def _refuse_beyond_daily_cap(now: datetime) -> None:
    cap = current_app.config["MAX_NEW_ARTICLES_PER_DAY"]
    opened = db.session.execute(
        select(func.count())
        .select_from(Article)
        .where(Article.created_on_first_use, Article.created_at > now - timedelta(days=1))
    ).scalar_one()
    if opened >= cap:
        raise TooManyNewArticles(
            _l(
                "No new discussions can be opened right now: the site's limit of new "
                "discussions per day is reached. Try again tomorrow."
            ),
            field="article",
        )


def create_article(key: str, *, title: str, url: str = "", closed: bool = False) -> Article:
    """Register an article ahead of its first reader (the site owner's command)."""
    article = db.session.execute(select(Article).where(Article.key == key)).scalar_one_or_none()
    if article is None:
        article = Article(key=key)
        db.session.add(article)
    try:
        url = clean_web_url(url, limit=ARTICLE_URL_MAX, bare_domain=False)
    except BadWebUrl as error:
        raise InvalidRequest(error.message, field="url") from error
    article.title, article.url, article.closed = plain_title(title), url, closed
    db.session.flush()
    return article


def closes_at(article: Article) -> datetime | None:
    """When an open thread closes by age (``CLOSE_AFTER_DAYS``); None when it never does."""
    days = effective_config()["CLOSE_AFTER_DAYS"]
    if article.closed or not days:
        return None
    return article.created_at + timedelta(days=days)


def is_closed(article: Article, now: datetime) -> bool:
    """Closed by flag, or older than ``CLOSE_AFTER_DAYS`` (0 keeps threads open)."""
    closes = closes_at(article)
    return article.closed or (closes is not None and closes < now)


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
    stored with its reasons, never dropped. A held comment's mail to moderators is written
    to the outbox in the same transaction.
    """
    if is_closed(article, now):
        raise ThreadClosed(_l("Comments are closed."))
    parent = _parent_for(article, draft.parent_id)
    html = clean_html(draft.comment)
    if not html:
        raise CommentRejected(_l("Write a comment."), field="comment")
    _refuse_duplicate(article, draft)
    config = effective_config()
    who = {"author": draft.author, "email": draft.email, "website": draft.website, "ip": ip}
    reasons = spam_reasons(config, text=draft.comment, signals=signals, **who)
    if reasons:
        status = CommentStatus.SPAM
    else:
        reasons = held_reasons(config, text=draft.comment, html=html, **who)
        status = CommentStatus.PENDING if reasons else CommentStatus.APPROVED
    max_depth = current_app.config["MAX_DEPTH"]
    comment = Comment(
        article=article,
        parent=parent,
        root_id=(parent.root_id or parent.id) if parent else None,
        # A reply to the deepest level is kept at that level, as WordPress shows it.
        depth=min(parent.depth + 1, max_depth) if parent else 1,
        status=status,
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
    db.session.flush()
    if status == CommentStatus.PENDING:
        from .mail import queue_moderator_mail

        queue_moderator_mail(comment, now=now)
    elif status == CommentStatus.APPROVED:
        subscriptions.comment_published(comment, now=now)
    # Spam asks nothing of anyone: no confirmation mail goes to the address it gave.
    if draft.subscribe and status != CommentStatus.SPAM:
        subscriptions.subscribe(
            comment,
            SubscriptionKind(draft.subscribe),
            language=draft.language,
            now=now,
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
    if parent.status != CommentStatus.APPROVED:
        raise CommentRejected(
            _l("The comment you reply to has not been published yet, so it cannot be answered."),
            field="parent",
        )
    return parent


def _visible(own_ids: frozenset[int], comment=Comment):
    """Approved comments; and the reader's own while they wait (not once spam or deleted)."""
    visible = comment.status == CommentStatus.APPROVED
    if own_ids:
        own_pending = comment.id.in_(own_ids) & (comment.status == CommentStatus.PENDING)
        visible = or_(visible, own_pending)
    return visible


def _shown_top_level(own_ids: frozenset[int]):
    """A top-level comment is shown when visible, or as a placeholder when a reply under it is."""
    reply = aliased(Comment)
    # A scalar subquery, not EXISTS: PostgreSQL answers an EXISTS under OR with a hash of the
    # root_id of every approved comment of the site (115,000 rows, 25 ms for one page, read
    # in bench/EXPLAIN.md); this is looked up in ix_comment_root for hidden comments only.
    a_visible_reply = (
        select(reply.id)
        .where(reply.root_id == Comment.id, _visible(own_ids, reply))
        .limit(1)
        .scalar_subquery()
    )
    return Comment.parent_id.is_(None) & or_(_visible(own_ids), a_visible_reply.is_not(None))


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


def page_and_pages(summary: ThreadSummary, page: int) -> tuple[int, int]:
    """The page asked for, kept within the thread's pages, and how many pages there are."""
    pages = max(1, -(-summary.top_count // current_app.config["COMMENTS_PER_PAGE"]))
    return min(max(1, page), pages), pages


def _top_order() -> tuple:
    """The order of a thread's top-level comments: by time (newest first when configured),
    then by id, so two comments of the same moment always come in the same order."""
    newest = current_app.config["NEWEST_FIRST"]
    return (Comment.created_at.desc() if newest else Comment.created_at, Comment.id)


PageStart = tuple[datetime, int]  # (created_at, id) of a page's first top-level comment


def _page_starts(article: Article, own_ids: frozenset[int]) -> tuple[PageStart, ...]:
    """Where each page of the thread begins, in ONE query over the thread's top-level comments
    (numbered in reading order, every COMMENTS_PER_PAGE-th kept)."""
    per_page = current_app.config["COMMENTS_PER_PAGE"]
    numbered = (
        select(
            Comment.created_at,
            Comment.id,
            func.row_number().over(order_by=_top_order()).label("n"),
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
    from .caching import kept  # caching builds on this module

    cache = None if own_ids else kept("page starts")
    if cache is None:
        return None
    config = current_app.config
    key = (article.id, summary.version, config["COMMENTS_PER_PAGE"], config["NEWEST_FIRST"])
    return cache.get_or_make(key, lambda: _page_starts(article, own_ids))


def _from_start(start: PageStart):
    """Top-level comments at or after ``start`` in reading order.

    The plain bound on created_at repeats what the OR implies: it is what lets the database
    seek to the page in ix_comment_top instead of filtering the thread from its beginning.
    """
    created_at, id_ = start
    if current_app.config["NEWEST_FIRST"]:
        later = Comment.created_at < created_at
        bound = Comment.created_at <= created_at
    else:
        later = Comment.created_at > created_at
        bound = Comment.created_at >= created_at
    return bound & or_(later, (Comment.created_at == created_at) & (Comment.id >= id_))


def _before_start(start: PageStart):
    """Top-level comments before ``start`` in reading order (the page after ends there)."""
    created_at, id_ = start
    if current_app.config["NEWEST_FIRST"]:
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
) -> Thread:
    """A page of the thread: its top-level comments and every reply under them.

    Three queries, whatever the thread's size: the summary (counts; pass it in when it was
    already read for the ETag), the page's top-level comments, and their replies; a page after
    the first needs where the pages begin, read once per version of the thread (see
    ``page_starts``). Others see approved comments; a reader also sees their own pending ones.
    A removed comment with published replies is shown as a placeholder, so the thread keeps
    its shape.
    """
    config = current_app.config
    visible = _visible(own_ids)
    shown_top = _shown_top_level(own_ids)
    if summary is None:
        summary = thread_summary(article, own_ids=own_ids)
    per_page = config["COMMENTS_PER_PAGE"]
    page, pages = page_and_pages(summary, page)
    query = (
        select(Comment, visible)
        .where(Comment.article_id == article.id, shown_top)
        .order_by(*_top_order())
        .limit(per_page)
    )
    if page > 1:
        # Keyset paging: the page is read from where it begins to where the next begins, so
        # the last page of a long thread costs what the first does (OFFSET reads and skips
        # every earlier comment). Page 1 needs no start, and no extra query.
        starts = page_starts(article, own_ids, summary) or ()
        if len(starts) >= page:
            query = query.where(_from_start(starts[page - 1]))
            if len(starts) > page:
                query = query.where(_before_start(starts[page]))
        else:  # starts not kept, or the thread changed since the summary: count as before
            query = query.offset((page - 1) * per_page)
    top = list(db.session.execute(query).all())
    replies = []
    if top:
        # Every reply under the page's comments, whatever its status: which hidden ones
        # become placeholders depends on what is under them. Only visible ones keep content.
        replies = list(
            db.session.execute(
                select(Comment, visible).where(Comment.root_id.in_([c.id for c, _ in top]))
            ).all()
        )
        # Sorted here, not in SQL: an ORDER BY created_at lets SQLite (which keeps no
        # statistics) walk every approved comment of the site in ix_comment_queue's order
        # instead of looking up this page's replies in ix_comment_root (10x slower, measured).
        replies.sort(key=lambda row: (row[0].created_at, row[0].id))
    return Thread(article, _threaded(top, replies), summary.approved_count, page, pages)


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
            _shown_top_level(own_ids),
            before,
        )
    ).scalar_one()
    return earlier // current_app.config["COMMENTS_PER_PAGE"] + 1


# --- issue 4: the author's own comments (edit tokens), counts, the public shape ---------------
#
# An edit token is the proof that a browser wrote a comment: the comment's id and the moment it
# was issued, signed with the secret key (itsdangerous), so it cannot be forged or moved to
# another comment. It allows editing and deleting for EDIT_WINDOW_MINUTES; after that it still
# shows its author their own pending comment, for as long as the token is kept.

OWN_TOKEN_DAYS = 30


def _token_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="edit-comment")


def issue_edit_token(comment: Comment, now: datetime) -> str:
    """The token that lets this comment's author change it for a while."""
    return _token_serializer().dumps({"c": comment.id, "t": int(now.timestamp())})


def _read_token(token: str | None) -> tuple[int, float] | None:
    if not token or len(token) > 200:
        return None
    try:
        data = _token_serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    comment_id, issued = data.get("c"), data.get("t")
    if not isinstance(comment_id, int) or not isinstance(issued, int):
        return None
    return comment_id, issued


def edit_deadline(comment: Comment) -> datetime:
    """Until when the author may edit or delete the comment."""
    return comment.created_at + timedelta(minutes=current_app.config["EDIT_WINDOW_MINUTES"])


def tokens_by_comment(tokens: list[str], now: datetime) -> dict[int, str]:
    """The comments these tokens prove the reader wrote, each with its token."""
    found = {}
    for token in tokens[:50]:
        read = _read_token(token)
        if read and now.timestamp() - read[1] < OWN_TOKEN_DAYS * 86400:
            found[read[0]] = token
    return found


def own_ids_from_tokens(tokens: list[str], now: datetime) -> frozenset[int]:
    """The comments these tokens prove the reader wrote (to show them their pending ones)."""
    return frozenset(tokens_by_comment(tokens, now))


def _own_comment(comment_id: int, token: str | None, now: datetime) -> Comment:
    """The comment, when the token proves its author sends the request within the window."""
    read = _read_token(token)
    if read is None or read[0] != comment_id:
        raise EditNotAllowed(
            _l("Only the author can change this comment, from the browser it was written in.")
        )
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.status not in (CommentStatus.APPROVED, CommentStatus.PENDING):
        raise CommentNotFound(_l("There is no comment %(id)s.", id=comment_id))
    window = timedelta(minutes=current_app.config["EDIT_WINDOW_MINUTES"])
    if now.timestamp() - read[1] > window.total_seconds() or now > edit_deadline(comment):
        raise EditWindowClosed(
            ngettext(
                "A comment can only be changed for %(num)d minute after it was written.",
                "A comment can only be changed for %(num)d minutes after it was written.",
                current_app.config["EDIT_WINDOW_MINUTES"],
            )
        )
    return comment


def edit_comment(comment_id: int, text: str, *, token: str | None, now: datetime) -> Comment:
    """The author's new text: sanitized again and judged by the whole policy again, exactly
    as a new comment (``effective_config``: word lists, links, the moderation mode).

    An approved comment that now breaks a rule goes back to the queue (and the moderators
    who asked for mail hear of it), or to spam for a disallowed word. The form's time trap
    and honeypot are for new comments only: an edit has no form stamp to judge.
    """
    from .mail import queue_moderator_mail

    comment = _own_comment(comment_id, token, now)
    html = clean_html(text)
    if not html:
        raise CommentRejected(_l("Write a comment."), field="comment")
    config = effective_config()
    who = {
        "author": comment.author,
        "email": comment.email,
        "website": comment.website,
        "ip": comment.ip,
    }
    was = comment.status
    comment.text, comment.html, comment.edited_at = text, html, now
    reasons = spam_reasons(config, text=text, **who)
    if reasons:
        comment.status = CommentStatus.SPAM
    else:
        reasons = held_reasons(config, text=text, html=html, **who)
        if reasons:
            comment.status = CommentStatus.PENDING
    comment.held_for = "\n".join(reasons)
    if comment.status == CommentStatus.SPAM:
        withdraw_mail(comment.id)  # no mail goes out about spam
    elif comment.status == CommentStatus.PENDING and was == CommentStatus.APPROVED:
        db.session.flush()
        # Unsent notification mails must not quote it; readers hear of it once approved again.
        subscriptions.withdraw_mails_quoting([comment.id])
        queue_moderator_mail(comment, now=now)
    elif comment.status == CommentStatus.APPROVED:
        # An unsent notification that quotes the old text is written again with the new.
        subscriptions.withdraw_mails_quoting([comment.id])
    db.session.flush()
    return comment


def delete_comment(comment_id: int, *, token: str | None, now: datetime) -> None:
    """The author takes their comment back: it goes to the trash, out of every public view."""
    comment = _own_comment(comment_id, token, now)
    comment.status = CommentStatus.TRASH
    comment.decided_at, comment.decided_by = now, "author"
    withdraw_mail(comment.id)
    db.session.flush()


def count_comments(keys: list[str]) -> dict[str, int]:
    """Approved comments per article key, in one query; unknown keys count 0.

    A count per article as a correlated subquery, which PostgreSQL answers from the index
    ix_comment_thread alone (bench/EXPLAIN.md); a LEFT JOIN ... GROUP BY makes the planner
    hash-join the whole comment table once the list is long.
    """
    wanted = list(dict.fromkeys(keys))
    if not wanted:
        return {}
    approved = (
        select(func.count())
        .where(Comment.article_id == Article.id, Comment.status == CommentStatus.APPROVED)
        .scalar_subquery()
    )
    # One expanding parameter: the compiled statement is cached whatever the keys are.
    statement = select(Article.key, approved).where(
        Article.key.in_(bindparam("keys", expanding=True))
    )
    rows = db.session.execute(statement, {"keys": wanted}).all()
    found = {key: int(count) for key, count in rows}
    return {key: found.get(key, 0) for key in wanted}


def public_comment(
    comment: Comment, avatar_url: Callable[[str], str], *, own: bool = False
) -> dict[str, Any]:
    """A comment as the API and the embed show it: an explicit list of public fields.

    The email, the address, the reasons it was held and who decided are not in it, and never
    will be: add a field here only when it is public. Its author also gets the text as typed,
    to edit it.
    """
    shape = {
        "id": comment.id,
        "parent": comment.parent_id,
        "depth": comment.depth,
        "author": comment.author,
        "website": safe_href(comment.website),
        "avatar": avatar_url(comment.avatar) if comment.avatar else None,
        "html": comment.html,
        "created": comment.created_at.isoformat(),
        # Formatted by the server, so the embed shows the same time as the page and iframe.
        "created_text": comment_time(comment.created_at),
        "edited": comment.edited_at.isoformat() if comment.edited_at else None,
        "pending": comment.status != CommentStatus.APPROVED,
        # Its author's data was erased with the text: shown as removed, replies in place.
        "removed": not comment.html,
    }
    if own:
        shape["text"] = comment.text
    return shape


def public_thread(
    thread: Thread, avatar_url: Callable[[str], str], own_ids: frozenset[int] = frozenset()
) -> list[dict[str, Any]]:
    """The thread's comments, nested: each with its ``replies``."""

    def shape(node: Node) -> dict[str, Any]:
        if node.placeholder:
            # A removed comment that keeps its published replies in place: only its place.
            removed = node.comment
            body = {
                "id": removed.id,
                "parent": removed.parent_id,
                "depth": removed.depth,
                "removed": True,
            }
        else:
            body = public_comment(node.comment, avatar_url, own=node.comment.id in own_ids)
        return {**body, "replies": [shape(child) for child in node.children]}

    return [shape(node) for node in thread.nodes]
