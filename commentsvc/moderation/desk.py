"""What the moderation queue lists: comments by status, filtered and searched, with counts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from commentsvc.extensions import db
from commentsvc.models.moderation import ModerationEvent
from commentsvc.models.threads import Article, Comment, CommentStatus, PendingEdit
from commentsvc.moderation.access import comments_on
from commentsvc.moderation.revisions import pending_edits

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


def _filters(
    article_key: str | None, search: str | None, sites: Collection[str] | None = None
) -> list:
    conditions = [] if sites is None else [comments_on(sites)]
    if article_key:
        conditions.append(Comment.article.has(Article.key == article_key))
    if search:
        like = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        conditions.append(
            or_(
                Comment.text.ilike(like, escape="\\"),
                Comment.author.ilike(like, escape="\\"),
                Comment.email.ilike(like, escape="\\"),
            )
        )
    return conditions


def load_queue(
    status: str = "pending",
    *,
    article_key: str | None = None,
    search: str | None = None,
    sites: Collection[str] | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> QueuePage:
    """One page of a tab: pending oldest first (work order), the others newest first; only
    comments of ``sites`` (None: every site)."""
    conditions = _filters(article_key, search, sites)
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
    order = (
        (Comment.created_at, Comment.id)
        if status == "pending"
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
    )


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
