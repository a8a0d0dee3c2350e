"""An author's edit of a comment that a moderator approved: a revision that waits in the queue
(``threads.authoring.submit_revision``) until a moderator approves or rejects it."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from commentsvc import lifecycle
from commentsvc.extensions import db
from commentsvc.models.moderation import AuditAction
from commentsvc.models.threads import Comment, CommentStatus, PendingEdit
from commentsvc.moderation.actions import ModerationRefused, get_comment, record


def pending_edit(comment_id: int) -> PendingEdit | None:
    return db.session.execute(
        select(PendingEdit).where(PendingEdit.comment_id == comment_id)
    ).scalar_one_or_none()


def pending_edits(comment_ids: list[int]) -> dict[int, PendingEdit]:
    """The waiting revisions of these comments, by comment id, in one query."""
    if not comment_ids:
        return {}
    rows = db.session.execute(
        select(PendingEdit).where(PendingEdit.comment_id.in_(comment_ids))
    ).scalars()
    return {row.comment_id: row for row in rows}


def _revision_of(comment: Comment) -> PendingEdit:
    revision = pending_edit(comment.id)
    if revision is None or comment.status != CommentStatus.APPROVED:
        raise ModerationRefused(_l("Comment %(id)s has no edit waiting for review.", id=comment.id))
    return revision


def approve_edit(comment_id: int, *, by: str, now: datetime) -> Comment:
    """Publish the author's waiting text in place of the approved one; the text before is
    kept in the audit record as for a moderator's own edit (for export and erasure)."""
    comment = get_comment(comment_id)
    revision = _revision_of(comment)
    previous = comment.text
    comment.text, comment.html, comment.edited_at = revision.text, revision.html, now
    db.session.delete(revision)
    status = comment.status.value
    record(comment, AuditAction.EDIT_APPROVED, status, by=by, now=now, details={"text": previous})
    lifecycle.comment_text_changed.send(comment)
    db.session.flush()
    return comment


def reject_edit(comment_id: int, *, by: str, now: datetime) -> Comment:
    """Drop the author's waiting text: the approved one stays, and nothing of the rejected
    words is kept (the audit record says only that it was rejected)."""
    comment = get_comment(comment_id)
    db.session.delete(_revision_of(comment))
    record(comment, AuditAction.EDIT_REJECTED, comment.status.value, by=by, now=now)
    db.session.flush()
    return comment
