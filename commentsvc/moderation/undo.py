"""Undoing the latest decision on a comment."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from commentsvc import lifecycle
from commentsvc.extensions import db
from commentsvc.models.moderation import AuditAction, ModerationEvent
from commentsvc.models.threads import Comment, CommentStatus
from commentsvc.moderation.actions import (
    ModerationRefused,
    get_comment,
    record,
    refuse_staff_answer_under_removed,
    staff_answers,
)
from commentsvc.moderation.reported import REPORT_HOLD
from commentsvc.sanitize import clean_html

UNDOABLE = (
    AuditAction.APPROVE,
    AuditAction.TRASH,
    AuditAction.SPAM,
    AuditAction.RESTORE,
    AuditAction.EDIT,
    AuditAction.EDIT_APPROVED,  # the author's edit published: undo puts the earlier text back
    AuditAction.UNAPPROVE,
    AuditAction.PICK,
    AuditAction.UNPICK,
)
TEXT_CHANGES = (AuditAction.EDIT, AuditAction.EDIT_APPROVED)
# Decisions that leave the status as it was: undo changes what they changed, not the status.
MARKS = (*TEXT_CHANGES, AuditAction.PICK, AuditAction.UNPICK)


def last_decision(comment_id: int) -> ModerationEvent | None:
    """The latest decision on a comment that can still be undone, if any.

    A hold after readers' reports ends what came before it: the earlier approval is no longer
    the comment's state to take back, and the hold is answered by keep or remove, not undo.
    """
    last = db.session.execute(
        select(ModerationEvent)
        .where(
            ModerationEvent.comment_id == comment_id,
            ModerationEvent.undone.is_(False),
            ModerationEvent.action.in_([*UNDOABLE, REPORT_HOLD]),
        )
        .order_by(ModerationEvent.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    return None if last is None or last.action == REPORT_HOLD else last


def can_undo(comment_id: int) -> bool:
    """Whether "Undo" has something to undo (the moderation pages offer it only then)."""
    return last_decision(comment_id) is not None


def undo_last(comment_id: int, *, by: str, now: datetime) -> Comment:
    """Reverse the latest decision on a comment that is not undone yet (status, or an edit).

    Taking back the approval of a comment that a published staff reply answers is refused:
    the site's answer would stand under a removed comment. The reply goes first. So is
    publishing a staff reply again while the comment it answers is removed: that comment
    comes back first.
    """
    comment = get_comment(comment_id)
    last = last_decision(comment.id)
    if last is None:
        raise ModerationRefused(_l("There is no decision on this comment to undo."))
    if last.action not in MARKS and last.before != CommentStatus.APPROVED:
        # The rule of trash and spam (actions.refuse_removal_under_staff_answer): the answer
        # goes first.
        replies = staff_answers(comment.id) if comment.status == CommentStatus.APPROVED else []
        if replies:
            raise ModerationRefused(
                _l(
                    "Comment %(id)s cannot be taken back: the site's reply %(reply)s answers it. "
                    "Move the reply to the trash first, then undo. Nothing was changed.",
                    id=comment.id,
                    reply=replies[0],
                )
            )
    if last.action not in MARKS and last.before == CommentStatus.APPROVED:
        refuse_staff_answer_under_removed(comment)  # and a reply never back over a removed one
    last.undone = True
    before = comment.status.value
    if last.action in TEXT_CHANGES:
        previous = last.details["text"]
        comment.text, comment.html = previous, clean_html(previous)
        lifecycle.comment_text_changed.send(comment)
    elif last.action in (AuditAction.PICK, AuditAction.UNPICK):
        comment.picked = last.action == AuditAction.UNPICK
    elif last.before:
        if comment.status == CommentStatus.APPROVED:
            lifecycle.comment_unpublished.send(comment.id)
        comment.status = CommentStatus(last.before)
        comment.decided_at, comment.decided_by = now, by
        if comment.status == CommentStatus.APPROVED:
            lifecycle.comment_published.send(comment, now=now)
    record(comment, AuditAction.UNDO, before, by=by, now=now, details={"event": last.id})
    db.session.flush()
    return comment
