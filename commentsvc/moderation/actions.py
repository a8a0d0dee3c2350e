"""Moderators' decisions on a comment: each state change is recorded and can be undone."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select

from commentsvc import lifecycle
from commentsvc.errors import CommentNotFound, DomainError
from commentsvc.extensions import db
from commentsvc.forms.comment import declared_limits
from commentsvc.forms.desk import ModeratorEditForm
from commentsvc.models.moderation import AuditAction, ModerationEvent
from commentsvc.models.threads import Comment, CommentStatus
from commentsvc.sanitize import clean_html, plain_text, shows_text
from commentsvc.threads.removal import delete_for_good, has_replies
from commentsvc.threads.rows import new_comment

# The moderators' edit and reply have the form's limit, also for callers without the form.
STAFF_TEXT_LIMIT = declared_limits(ModeratorEditForm)["text"]


class ModerationRefused(DomainError):
    """A decision the rules do not allow as asked; the message says why and what to do."""

    status = 409
    code = "refused"


# --- state changes ---------------------------------------------------------------------


def get_comment(comment_id: int) -> Comment:
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        raise CommentNotFound(_l("There is no comment %(id)s.", id=comment_id))
    return comment


def record(
    comment: Comment,
    action: AuditAction,
    before: str | None,
    *,
    by: str,
    now: datetime,
    details: dict | None = None,
) -> ModerationEvent:
    """Write a decision on the comment to its history (the audit log), ``details`` as fields
    (commentsvc/audit.py shows them); the caller flushes."""
    event = ModerationEvent(
        comment_id=comment.id,
        site_id=comment.article.site_id,
        actor=by,
        action=action,
        before=before,
        after=comment.status.value if comment.status else None,
        details=details or {},
        created_at=now,
    )
    db.session.add(event)
    return event


def staff_answers(comment_id: int) -> list[int]:
    """The site's own published replies (``by_staff``) that answer this comment directly."""
    return list(
        db.session.execute(
            select(Comment.id)
            .where(
                Comment.parent_id == comment_id,
                Comment.by_staff.is_(True),
                Comment.status == CommentStatus.APPROVED,
            )
            .order_by(Comment.id)
        ).scalars()
    )


def refuse_removal_under_staff_answer(comment: Comment) -> None:
    """The site's answer never stands under a removed comment ("Thanks, Gunnel!" from the
    newsroom under "This comment has been removed"): a comment the site answered is removed
    (trash, spam, a removal after reports, a bulk action) only once the answer is gone. Refused,
    with the way forward, rather than taking the answer along unasked: the answer is the
    newsroom's published word, and its removal a decision of its own in the audit log."""
    if comment.status not in (CommentStatus.APPROVED, CommentStatus.PENDING):
        return  # already hidden from readers: nothing new stands under a removed comment
    answers = staff_answers(comment.id)
    if answers:
        raise ModerationRefused(
            _l(
                "Comment %(id)s has the site's own reply (comment %(reply)s) under it. "
                "Move the reply to the trash first, then remove the comment. "
                "Nothing was changed.",
                id=comment.id,
                reply=answers[0],
            )
        )


def refuse_staff_answer_under_removed(comment: Comment) -> None:
    """The other side of the same rule: the site's reply is not published again (approve,
    restore, undo) while the comment it answers is in the trash or spam."""
    parent = comment.parent
    if (
        comment.by_staff
        and parent is not None
        and parent.status in (CommentStatus.TRASH, CommentStatus.SPAM)
    ):
        raise ModerationRefused(
            _l(
                "Comment %(id)s is the site's reply to comment %(parent)s, which is in the "
                "trash or spam. Restore comment %(parent)s first, then this reply. "
                "Nothing was changed.",
                id=comment.id,
                parent=parent.id,
            )
        )


def _set_status(
    comment: Comment,
    status: CommentStatus,
    action: AuditAction,
    *,
    by: str,
    now: datetime,
    details: dict | None = None,
):
    if comment.status == status:
        return  # nothing changes, so nothing to record or undo
    if status in (CommentStatus.TRASH, CommentStatus.SPAM) or (
        # Taking a published comment back to the queue hides it from readers as well.
        status == CommentStatus.PENDING and comment.status == CommentStatus.APPROVED
    ):
        refuse_removal_under_staff_answer(comment)
    elif status == CommentStatus.APPROVED:
        refuse_staff_answer_under_removed(comment)
    before = comment.status.value
    if comment.status == CommentStatus.PENDING:
        lifecycle.comment_withdrawn.send(comment.id)
    elif comment.status == CommentStatus.APPROVED:
        lifecycle.comment_unpublished.send(comment.id)
    comment.status = status
    comment.decided_at = now
    comment.decided_by = by
    record(comment, action, before, by=by, now=now, details=details)
    if status == CommentStatus.APPROVED:
        lifecycle.comment_published.send(comment, now=now)


def _pending_parent(comment: Comment) -> Comment | None:
    parent = comment.parent
    return parent if parent is not None and parent.status == CommentStatus.PENDING else None


def approve(comment_id: int, *, by: str, now: datetime, with_parents: bool = False) -> Comment:
    """Publish a comment; a reply waits for its pending parent, or goes with it when asked."""
    comment = get_comment(comment_id)
    parent = _pending_parent(comment)
    if parent is not None:
        if not with_parents:
            raise ModerationRefused(
                _l(
                    "Comment %(id)s replies to comment %(parent)s, which is still pending. "
                    "Approve them together, or approve the comment it replies to first.",
                    id=comment.id,
                    parent=parent.id,
                )
            )
        chain = []
        while parent is not None:
            chain.append(parent)
            parent = _pending_parent(parent)
        for ancestor in reversed(chain):
            _set_status(ancestor, CommentStatus.APPROVED, AuditAction.APPROVE, by=by, now=now)
    if comment.status != CommentStatus.APPROVED:
        _set_status(comment, CommentStatus.APPROVED, AuditAction.APPROVE, by=by, now=now)
    db.session.flush()
    return comment


def trash(comment_id: int, *, by: str, now: datetime, details: dict | None = None) -> Comment:
    """Reject to the trash: hidden from readers, kept for a moderator to restore.

    ``details`` say why in the audit log when the caller knows more (a removal after reports:
    ``{"reports": 3, "reason": "spam"}``).
    """
    comment = get_comment(comment_id)
    _set_status(comment, CommentStatus.TRASH, AuditAction.TRASH, by=by, now=now, details=details)
    db.session.flush()
    return comment


def mark_spam(comment_id: int, *, by: str, now: datetime) -> Comment:
    comment = get_comment(comment_id)
    _set_status(comment, CommentStatus.SPAM, AuditAction.SPAM, by=by, now=now)
    db.session.flush()
    return comment


def unapprove(comment_id: int, *, by: str, now: datetime) -> Comment:
    """Take a published comment back to the queue (pending), as a decision that undo reverses.

    Refused while a published staff reply answers it, as every removal is (``_set_status``):
    the site's answer would stand under a comment readers no longer see.
    """
    comment = get_comment(comment_id)
    if comment.status != CommentStatus.APPROVED:
        raise ModerationRefused(
            _l("Only a published comment can be taken back to the queue; nothing was changed.")
        )
    _set_status(comment, CommentStatus.PENDING, AuditAction.UNAPPROVE, by=by, now=now)
    db.session.flush()
    return comment


def set_picked(comment_id: int, picked: bool, *, by: str, now: datetime) -> Comment:
    """Mark a published comment as an editors' pick ("Redaktionens val"), or no longer.

    Recorded as ``pick``/``unpick`` with the status unchanged; undo sets it back. Asking for
    what already holds changes and records nothing.
    """
    comment = get_comment(comment_id)
    if picked and comment.status != CommentStatus.APPROVED:
        raise ModerationRefused(
            _l("Only a published comment can be an editors' pick. Approve it first.")
        )
    if comment.picked == picked:
        return comment
    comment.picked = picked
    status = comment.status.value
    record(comment, AuditAction.PICK if picked else AuditAction.UNPICK, status, by=by, now=now)
    db.session.flush()
    return comment


def pick(comment_id: int, *, by: str, now: datetime) -> Comment:
    return set_picked(comment_id, True, by=by, now=now)


def unpick(comment_id: int, *, by: str, now: datetime) -> Comment:
    return set_picked(comment_id, False, by=by, now=now)


def restore(comment_id: int, *, by: str, now: datetime) -> Comment:
    """Take a comment out of the trash or spam, back to the status it had before (or pending)."""
    comment = get_comment(comment_id)
    if comment.status not in (CommentStatus.TRASH, CommentStatus.SPAM):
        raise ModerationRefused(_l("Only comments in the trash or spam can be restored."))
    last = db.session.execute(
        select(ModerationEvent)
        .where(
            ModerationEvent.comment_id == comment.id,
            ModerationEvent.after == comment.status.value,
            ModerationEvent.action.in_((AuditAction.TRASH, AuditAction.SPAM)),
        )
        .order_by(ModerationEvent.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    target = CommentStatus.PENDING
    if last is not None and last.before in (CommentStatus.APPROVED, CommentStatus.PENDING):
        target = CommentStatus(last.before)
    if target == CommentStatus.APPROVED and _pending_parent(comment):
        target = CommentStatus.PENDING
    _set_status(comment, target, AuditAction.RESTORE, by=by, now=now)
    db.session.flush()
    return comment


def edit(comment_id: int, text: str, *, by: str, now: datetime) -> Comment:
    """Change the text; it is sanitized again, and the old text is kept for undo."""
    comment = get_comment(comment_id)
    text = plain_text(text).strip()
    html = clean_html(text)
    if not html:
        raise DomainError(_l("Write a comment."), field="text")
    if not shows_text(text):
        raise DomainError(
            _l(
                "The text holds nothing but markup, so readers would see nothing. "
                "Write the comment in words; it is unchanged."
            ),
            field="text",
        )
    _refuse_too_long(text)
    previous = comment.text
    comment.text, comment.html, comment.edited_at = text, html, now
    record(
        comment, AuditAction.EDIT, comment.status.value, by=by, now=now, details={"text": previous}
    )
    lifecycle.comment_text_changed.send(comment)
    db.session.flush()
    return comment


def _refuse_too_long(text: str) -> None:
    """A moderator's text keeps the limit a reader's comment has (the form's declaration)."""
    limit = STAFF_TEXT_LIMIT["max"]
    if len(text) > limit:
        raise DomainError(
            _l("The comment can be at most %(limit)s characters; it has %(length)s.")
            % {"limit": limit, "length": len(text)},
            field="text",
        )


def delete_permanently(comment_id: int, *, by: str, now: datetime) -> None:
    """Erase a comment for good (admins only, checked by the caller's role).

    The rule of ``threads.removal``: a comment that anything hangs under (a reply of any
    status) is refused, as the trash keeps the replies' place in the thread; a removed
    placeholder above it that is left with nothing under it goes too.
    """
    comment = get_comment(comment_id)
    if has_replies(comment.id):
        raise ModerationRefused(
            _l(
                "This comment has replies, so it cannot be deleted permanently. "
                "Move it to the trash instead; its replies keep their place."
            )
        )
    before = comment.status.value
    # What the record says outlives the comment, so it names no person: the article only.
    details = {"article": comment.article.key}
    event = record(comment, AuditAction.DELETE, before, by=by, now=now, details=details)
    event.after = None
    delete_for_good([comment.id])
    db.session.flush()


def reply_as_staff(
    comment_id: int, text: str, *, by: str, author: str, email: str, now: datetime
) -> Comment:
    """A moderator's answer: published at once, marked as staff, its parent published with it."""
    parent = get_comment(comment_id)
    if parent.status in (CommentStatus.SPAM, CommentStatus.TRASH):
        raise ModerationRefused(
            _l("Restore the comment before you reply to it: it is in the trash or spam.")
        )
    # Checked before the parent is published: a refused reply publishes nothing.
    text = plain_text(text).strip()
    html = clean_html(text)
    if not html:
        raise DomainError(_l("Write a comment."), field="text")
    if not shows_text(text):
        raise DomainError(
            _l(
                "The reply holds nothing but markup, so readers would see nothing. "
                "Write the reply in words; nothing was published."
            ),
            field="text",
        )
    _refuse_too_long(text)
    if parent.status == CommentStatus.PENDING:
        approve(parent.id, by=by, now=now, with_parents=True)
    reply = new_comment(
        parent.article,
        parent,
        text=text,
        html=html,
        author=author,
        email=email,
        status=CommentStatus.APPROVED,
        created_at=now,
        by_staff=True,
        decided_at=now,
        decided_by=by,
    )
    db.session.add(reply)
    db.session.flush()
    record(reply, AuditAction.STAFF_REPLY, None, by=by, now=now)
    lifecycle.comment_published.send(reply, now=now)
    db.session.flush()
    return reply


ACTIONS = {
    "approve": approve,
    "trash": trash,
    "spam": mark_spam,
    "restore": restore,
}


class BulkRefused(ModerationRefused):
    """One comment of a bulk action was refused: nothing of the bulk action is kept."""

    def __init__(self, refusals: list[str]):
        super().__init__(
            ngettext(
                "Nothing was changed: %(num)d of the selected comments cannot be updated.",
                "Nothing was changed: %(num)d of the selected comments cannot be updated.",
                len(refusals),
            )
        )
        self.refusals = refusals


def bulk(action: str, comment_ids: list[int], *, by: str, now: datetime) -> int:
    """Apply one action to many comments, parents before replies: all of them or none.

    Returns how many were done; raises ``BulkRefused`` with every refusal (the caller rolls
    back), so a moderator never has to find out which half of a selection was changed.
    """
    if action not in ACTIONS:
        raise ModerationRefused(_l("Choose an action."))
    if not comment_ids:
        raise ModerationRefused(_l("Select at least one comment."))
    # Parents before replies when publishing (a reply waits for its parent); replies before
    # parents when removing, so that a selection of a comment and the site's answer to it
    # removes the answer first (refuse_removal_under_staff_answer).
    depth = Comment.depth.desc() if action in ("trash", "spam") else Comment.depth
    found = db.session.execute(
        select(Comment.id).where(Comment.id.in_(comment_ids)).order_by(depth, Comment.id)
    ).scalars()
    done, refusals = 0, []
    for comment_id in list(found):
        try:
            ACTIONS[action](comment_id, by=by, now=now)
        except DomainError as error:
            refusals.append(str(error.message))
        else:
            done += 1
    if refusals:
        raise BulkRefused(refusals)
    return done
