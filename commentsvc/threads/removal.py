"""Deleting comments for good: one rule for the admin's delete, an erasure and the purge.

A comment goes for good only when nothing hangs under it: no reply of any status, found by
its parent or by its top-level comment. A reply in the trash or spam counts too: a moderator
may restore it until the purge takes it, and it must come back under the comment it answers
(the database would turn an orphan into a top-level comment). A comment that stays is a
placeholder in the thread; what that means is the caller's (an erasure has already emptied
it, the purge keeps the trash, the admin is told to trash it instead).

Each deletion may free the comment above it. The ones asked for are tried again, and so is
a parent that is itself a removed placeholder (its text erased, or removed at the source of
an import): with its last reply gone it stands for nothing, so it goes too, up the chain.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import exists, select, update
from sqlalchemy.orm import aliased

from commentsvc import lifecycle
from commentsvc.extensions import db
from commentsvc.models.moderation import AuditAction, ModerationEvent
from commentsvc.models.threads import Comment


@dataclass
class Deletion:
    """What ``delete_for_good`` did."""

    deleted: Counter = field(default_factory=Counter)  # CommentStatus -> comments deleted
    ids: set[int] = field(default_factory=set)  # every comment deleted, placeholders freed too
    kept: set[int] = field(default_factory=set)  # of those asked, the ones something hangs under

    @property
    def count(self) -> int:
        return sum(self.deleted.values())


def _unanswered():
    """Nothing hangs under the comment: no reply by parent, none by top-level comment."""
    reply = aliased(Comment)
    return ~exists().where(reply.parent_id == Comment.id) & ~exists().where(
        reply.root_id == Comment.id
    )


def has_replies(comment_id: int) -> bool:
    """Whether any comment, whatever its status, hangs under this one."""
    reply = aliased(Comment)
    under = (reply.parent_id == comment_id) | (reply.root_id == comment_id)
    return bool(db.session.execute(select(exists().where(under))).scalar())


def forget_earlier_versions(comment_ids: Iterable[int]) -> None:
    """Clear the earlier texts kept for undoing edits of comments that are deleted for good:
    with the comment gone, no erasure could find them by the author's address any more."""
    comment_ids = list(comment_ids)
    if comment_ids:
        db.session.execute(
            update(ModerationEvent)
            .where(
                ModerationEvent.comment_id.in_(comment_ids),
                ModerationEvent.action == AuditAction.EDIT,
            )
            .values(details={}, undone=True)
            .execution_options(synchronize_session=False)
        )


def delete_for_good(comment_ids: Iterable[int]) -> Deletion:
    """Delete those of ``comment_ids`` that nothing hangs under, and the removed placeholders
    above them that are left with nothing under them; the caller audits and commits.

    Every deleted comment is withdrawn (``lifecycle.comment_withdrawn``: no unsent mail or
    notification quotes it), and its earlier texts kept for undo are cleared. Readers'
    reports and statements of reasons keep their plain comment number (the transparency
    counts outlive the comment); subscriptions and notifications go with it.
    """
    asked = set(comment_ids)
    result = Deletion()
    candidates = set(asked)
    while candidates:
        free = list(
            db.session.execute(
                select(Comment).where(Comment.id.in_(candidates), _unanswered())
            ).scalars()
        )
        if not free:
            break
        ids = [comment.id for comment in free]
        above = {c.parent_id for c in free if c.parent_id} | {c.root_id for c in free if c.root_id}
        forget_earlier_versions(ids)
        for comment in free:
            lifecycle.comment_withdrawn.send(comment.id)
            result.deleted[comment.status] += 1
            db.session.delete(comment)
        db.session.flush()
        result.ids.update(ids)
        candidates.difference_update(ids)
        above -= result.ids
        if above:
            candidates.update(
                db.session.execute(
                    select(Comment.id).where(Comment.id.in_(above), Comment.html == "")
                ).scalars()
            )
    result.kept = asked - result.ids
    return result
