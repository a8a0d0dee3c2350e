"""What the moderation queue lists: comments by status, filtered and searched, with counts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from commentsvc.extensions import db
from commentsvc.models.moderation import ModerationEvent
from commentsvc.models.threads import Article, Comment, CommentStatus, PendingEdit
from commentsvc.moderation.access import comments_on
from commentsvc.moderation.revisions import pending_edits
from commentsvc.threads.reading import page_of, replies_from_for

TABS = ("pending", "approved", "spam", "trash", "all")
PER_PAGE = 20


@dataclass
class QueuePage:
    comments: list[Comment]
    events: dict[int, list[ModerationEvent]]
    # Authors' edits of approved comments, waiting (old text published, new text here).
    revisions: dict[int, PendingEdit]
    counts: dict[str, int]
    page: int
    pages: int
    total: int
    # Where each published comment stands on its thread's page (``thread_places``).
    places: dict[int, dict[str, str | int]] = field(default_factory=dict)


@dataclass(frozen=True)
class QueueFilter:
    """What a moderator narrowed the queue to; every part optional.

    ``article``: an article's key, or a part of its title (either, case-insensitive for the
    title); ``person``: a normalized address, matched exactly (``anna@x.se`` never finds
    ``hanna@x.se``); ``network``: the anonymized network as stored and shown, exactly;
    ``since``/``until``: moments (UTC), ``until`` excluded; ``sort``: ``oldest`` or
    ``newest`` (None: the tab's own order).
    """

    article: str | None = None
    search: str | None = None
    person: str | None = None
    network: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    sort: str | None = None


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def folded(column):
    """The column in lower case, beyond ASCII too (SQLite's own lower() folds ASCII only;
    commentsvc/database.py gives it ``unicode_lower``)."""
    if db.session.get_bind().dialect.name == "sqlite":
        return func.unicode_lower(column)
    return func.lower(column)


def _filters(narrowed: QueueFilter, sites: Collection[str] | None = None) -> list:
    conditions = [] if sites is None else [comments_on(sites)]
    if narrowed.article:
        conditions.append(
            Comment.article.has(
                or_(
                    Article.key == narrowed.article,
                    folded(Article.title).like(_like(narrowed.article.lower()), escape="\\"),
                )
            )
        )
    if narrowed.search:
        like = _like(narrowed.search)
        conditions.append(
            or_(
                Comment.text.ilike(like, escape="\\"),
                Comment.author.ilike(like, escape="\\"),
                Comment.email.ilike(like, escape="\\"),
            )
        )
    if narrowed.person:
        # The normalized column, never a LIKE: a person is found by exact identity.
        conditions.append(Comment.address == narrowed.person)
    if narrowed.network:
        conditions.append(Comment.ip == narrowed.network)
    if narrowed.since:
        conditions.append(Comment.created_at >= narrowed.since)
    if narrowed.until:
        conditions.append(Comment.created_at < narrowed.until)
    return conditions


def load_queue(
    status: str = "pending",
    *,
    narrowed: QueueFilter | None = None,
    sites: Collection[str] | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> QueuePage:
    """One page of a tab: pending oldest first (work order), the others newest first unless
    ``narrowed.sort`` says otherwise; only comments of ``sites`` (None: every site)."""
    narrowed = narrowed or QueueFilter()
    conditions = _filters(narrowed, sites)
    counts = dict.fromkeys(TABS, 0)
    for value, count in db.session.execute(
        select(Comment.status, func.count()).where(*conditions).group_by(Comment.status)
    ):
        counts[CommentStatus(value).value] = count
    counts["all"] = sum(counts[s.value] for s in CommentStatus)
    # The pending tab is the work to do: held comments, and published ones whose author's
    # edit waits for review.
    # (Only while published: a revision of a comment since removed waits for nothing.)
    has_revision = Comment.id.in_(select(PendingEdit.comment_id)) & (
        Comment.status == CommentStatus.APPROVED
    )
    counts["pending"] += db.session.execute(
        select(func.count()).select_from(Comment).where(*conditions, has_revision)
    ).scalar_one()
    if status == "pending":
        conditions.append(or_(Comment.status == CommentStatus.PENDING, has_revision))
    elif status != "all":
        conditions.append(Comment.status == CommentStatus(status))
    oldest_first = narrowed.sort == "oldest" or (narrowed.sort is None and status == "pending")
    order = (
        (Comment.created_at, Comment.id)
        if oldest_first
        else (Comment.created_at.desc(), Comment.id.desc())
    )
    query = (
        select(Comment)
        .options(selectinload(Comment.article), selectinload(Comment.parent))
        .where(*conditions)
        .order_by(*order)
    )
    found = db.paginate(query, page=page, per_page=per_page, error_out=False)
    if found.pages and found.page > found.pages:  # a page past the end: the last one
        found = db.paginate(query, page=found.pages, per_page=per_page, error_out=False)
    comments = list(found.items)
    return QueuePage(
        comments,
        events_for([c.id for c in comments]),
        pending_edits([c.id for c in comments]),
        counts,
        found.page,
        max(1, found.pages),
        found.total or 0,
        thread_places(comments),
    )


def thread_places(comments: list[Comment]) -> dict[int, dict[str, str | int]]:
    """The thread page's query that shows each published comment in place: its page, or the
    "more replies" page that begins with it (as a notification's link). Not published: the
    thread's first page, where it would stand once approved."""
    places: dict[int, dict[str, str | int]] = {}
    for comment in comments:
        if comment.status != CommentStatus.APPROVED:
            places[comment.id] = {}
            continue
        further = replies_from_for(comment)
        if further is not None:
            places[comment.id] = {"replies": further.cursor}
        else:
            page = page_of(comment)
            places[comment.id] = {"page": page} if page > 1 else {}
    return places


def events_for(comment_ids: list[int]) -> dict[int, list[ModerationEvent]]:
    """The audit log of these comments, oldest first, in one query."""
    events: dict[int, list[ModerationEvent]] = defaultdict(list)
    if comment_ids:
        for event in db.session.execute(
            select(ModerationEvent)
            .where(ModerationEvent.comment_id.in_(comment_ids))
            .order_by(ModerationEvent.id)
        ).scalars():
            events[event.comment_id].append(event)
    return events
