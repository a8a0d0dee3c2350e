"""How many replies one page of a thread carries, and where the rest begin ("more replies")."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import case, func, literal, or_, select, union_all

from commentsvc.extensions import db
from commentsvc.models.threads import Comment, CommentStatus


def visible_to(own_ids: frozenset[int], comment=Comment):
    """Approved comments; and the reader's own while they wait (not once spam or deleted)."""
    visible = comment.status == CommentStatus.APPROVED
    if own_ids:
        own_pending = comment.id.in_(own_ids) & (comment.status == CommentStatus.PENDING)
        visible = or_(visible, own_pending)
    return visible


@dataclass(frozen=True)
class RepliesFrom:
    """Where a page of one top-level comment's further replies begins: after the reply of
    ``(created_at, id)`` in reading order (``after`` None: from the first). As a cursor in
    an address it is ``<root>`` or ``<root>.<microseconds>.<id>``; it names a moment, not a
    row, so a reply removed meanwhile loses nothing after it."""

    root_id: int
    after: tuple[datetime, int] | None = None

    @property
    def cursor(self) -> str:
        if self.after is None:
            return str(self.root_id)
        moment, id_ = self.after
        micros = (moment - EPOCH) // timedelta(microseconds=1)
        return f"{self.root_id}.{micros}.{id_}"

    @classmethod
    def parse(cls, cursor: str | None) -> RepliesFrom | None:
        match = _CURSOR.fullmatch(cursor or "")
        if match is None:
            return None
        root, micros, id_ = match.groups()
        if int(root) > LARGEST_ID or (id_ is not None and int(id_) > LARGEST_ID):
            return None
        if micros is None:
            return cls(int(root))
        try:
            moment = EPOCH + timedelta(microseconds=int(micros))
        except OverflowError:
            return None
        return cls(int(root), (moment, int(id_)))


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
LARGEST_ID = 2**31 - 1
SHARE, OWN, HIDDEN = 1, 2, 3  # why a reply is read for a page
_CURSOR = re.compile(r"([1-9][0-9]{0,9})(?:\.([0-9]{1,17})\.([1-9][0-9]{0,9}))?")


def bounded_replies(
    roots: list[int],
    own_ids: frozenset[int],
    replies_from: RepliesFrom | None,
    *,
    config: Mapping[str, Any],
) -> tuple[list, dict[int, tuple[int, RepliesFrom]]]:
    """The visible replies shown under these top-level comments, in reading order, with the
    hidden ones above them (placeholders); and, per top-level comment with more replies than
    shown, how many more and where they begin.

    Each top-level comment shows its first ``REPLIES_PER_COMMENT`` replies, and the page at
    most ``REPLIES_PER_PAGE`` in all, shared out in turns (every comment's first reply before
    any comment's second), so one comment with thousands of replies cannot crowd out the
    others. A page of further replies (``replies_from``) shows ``REPLIES_PER_PAGE`` of one
    comment's. The reader's own comments are always shown with the thread, and only there.
    """
    if not roots:
        return [], {}
    total = config["REPLIES_PER_PAGE"]
    per_root = total if replies_from is not None else config["REPLIES_PER_COMMENT"]
    shown = visible_to(frozenset())
    if own_ids:
        shown = shown & Comment.id.not_in(own_ids)
    conditions = [Comment.root_id.in_(roots), shown]
    if replies_from is not None and replies_from.after is not None:
        moment, id_ = replies_from.after
        conditions.append(
            (Comment.created_at >= moment) & or_(Comment.created_at > moment, Comment.id > id_)
        )
    in_order = (Comment.created_at, Comment.id)
    ranked = (
        select(
            Comment.id,
            Comment.root_id,
            func.row_number().over(partition_by=Comment.root_id, order_by=in_order).label("n"),
            func.count().over(partition_by=Comment.root_id).label("of"),
        )
        .where(*conditions)
        .subquery()
    )
    root_order = case({root: i for i, root in enumerate(roots)}, value=ranked.c.root_id)
    # One query, whatever the page holds: the page's share of the replies (each a subquery
    # of its own, as a part of a UNION may not have its own ORDER BY and LIMIT on SQLite),
    # the reader's own replies, and the hidden comments that something answers (of which
    # those above the shown replies become placeholders).
    parts = [
        select(ranked.c.id, ranked.c.of, literal(SHARE).label("kind"))
        .where(ranked.c.n <= per_root)
        .order_by(ranked.c.n, root_order)
        .limit(total)
        .subquery()
        .select(),
        select(Comment.id, literal(0), literal(HIDDEN))
        .where(
            Comment.root_id.in_(roots),
            ~visible_to(own_ids),
            Comment.id.in_(select(Comment.parent_id).where(Comment.root_id.in_(roots))),
        )
        .limit(total * 2)
        .subquery()
        .select(),
    ]
    if own_ids and replies_from is None:
        parts.append(
            select(Comment.id, literal(0), literal(OWN)).where(
                Comment.root_id.in_(roots), Comment.id.in_(own_ids), visible_to(own_ids)
            )
        )
    picked = union_all(*parts).subquery()
    found = db.session.execute(
        select(Comment, picked.c.of, picked.c.kind).join(picked, Comment.id == picked.c.id)
    ).all()
    rows = [(c, of) for c, of, kind in found if kind == SHARE]
    replies = [(c, True) for c, _, kind in found if kind != HIDDEN]
    hidden = {c.id: c for c, _, kind in found if kind == HIDDEN}
    more: dict[int, tuple[int, RepliesFrom]] = {}
    counted: dict[int, list] = {}  # root: [replies shown, replies in all, the last shown]
    for comment, of in sorted(rows, key=lambda row: (row[0].created_at, row[0].id)):
        seen = counted.setdefault(comment.root_id, [0, of, None])
        seen[0] += 1
        seen[2] = (comment.created_at, comment.id)
    for root in roots:
        if root in counted:
            n, of, last = counted[root]
            if of > n:
                more[root] = (of - n, RepliesFrom(root, last))
        elif len(rows) >= total:  # the page was full before this comment's turn
            left = _count_visible_replies(root, conditions[1:])
            if left:
                more[root] = (left, replies_from or RepliesFrom(root))
    shown_rows = replies + _hidden_ancestors(replies, hidden)
    # Sorted here, not in SQL: an ORDER BY created_at lets SQLite (which keeps no statistics)
    # walk every approved comment of the site in ix_comment_queue's order instead of looking
    # up this page's replies in ix_comment_root (10x slower, measured).
    shown_rows.sort(key=lambda row: (row[0].created_at, row[0].id))
    return shown_rows, more


def _count_visible_replies(root: int, conditions: list) -> int:
    return db.session.execute(
        select(func.count()).where(Comment.root_id == root, *conditions)
    ).scalar_one()


def _hidden_ancestors(replies: list, hidden: dict[int, Comment]) -> list:
    """The hidden comments between the shown replies and the comments they answer: shown as
    placeholders so the replies keep their place. A reply whose parent is on another page
    is shown under its top-level comment."""
    found: dict[int, Comment] = {}
    for reply, _ in replies:
        parent = reply.parent_id
        while parent in hidden and parent not in found:
            found[parent] = hidden[parent]
            parent = hidden[parent].parent_id
    return [(c, False) for c in found.values()]
