"""Readers' reports as they change a comment: held after enough reports (the reports package
decides when), or kept by a moderator. Each is recorded in the audit log as the decisions in
``actions`` are."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l

from commentsvc import lifecycle
from commentsvc.extensions import db
from commentsvc.models.moderation import AuditAction
from commentsvc.models.threads import Comment, CommentStatus
from commentsvc.moderation.actions import ModerationRefused, approve, get_comment, record
from commentsvc.threads.policy import reason_codes

REPORT_HOLD = AuditAction.REPORT_HOLD
REPORTS_KEPT = AuditAction.REPORTS_KEPT


def _held_by_reports(comment: Comment) -> bool:
    return any(code.startswith("reports:") for code in reason_codes(comment))


def hold_after_reports(
    comment_id: int, count: int, *, by: str, now: datetime, limit: int | None = None
) -> Comment:
    """Hide a published comment until a moderator decides, because ``count`` readers reported
    it: back to pending with the reason ``reports:<count>``, recorded as ``report-hold``.

    Not a decision (``decided_at`` stays the moderator's), and not undoable: a moderator
    answers it with keep or remove. ``limit`` is the number of reports that holds a comment
    (``REPORTS_TO_HOLD``), kept in the audit log beside the count.
    """
    comment = get_comment(comment_id)
    if comment.status != CommentStatus.APPROVED:
        raise ModerationRefused(_l("Only a published comment can be held after reports."))
    before = comment.status.value
    codes = [c for c in reason_codes(comment) if not c.startswith("reports:")]
    comment.held_for = "\n".join([*codes, f"reports:{count}"])
    comment.status = CommentStatus.PENDING
    details = {"count": count} if limit is None else {"count": count, "limit": limit}
    record(comment, REPORT_HOLD, before, by=by, now=now, details=details)
    lifecycle.comment_unpublished.send(comment.id)
    lifecycle.comment_held.send(comment, now=now)
    db.session.flush()
    return comment


def keep_reported(comment_id: int, *, dismissed: int, by: str, now: datetime) -> Comment:
    """A moderator keeps a reported comment: one the reports held is published again (as an
    approval, so the queue's rules hold, its waiting mails are withdrawn and undo can take it
    back), and the dismissal of the reports is recorded as ``reports-kept``."""
    comment = get_comment(comment_id)
    if comment.status in (CommentStatus.TRASH, CommentStatus.SPAM):
        # "Kept" would tell the notifiers something untrue.
        raise ModerationRefused(
            _l(
                "Comment %(id)s is in the trash or spam, so it is not kept. Restore it first, "
                "or remove it here so that the notifiers and its author are told why.",
                id=comment.id,
            )
        )
    if comment.status == CommentStatus.PENDING and _held_by_reports(comment):
        approve(comment.id, by=by, now=now)  # refused while the comment it answers waits
        comment.held_for = "\n".join(
            c for c in reason_codes(comment) if not c.startswith("reports:")
        )
    status = comment.status.value
    record(comment, REPORTS_KEPT, status, by=by, now=now, details={"dismissed": dismissed})
    db.session.flush()
    return comment
