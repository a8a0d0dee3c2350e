"""The author's own comment: edit tokens, and editing or deleting within the window."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select

from commentsvc import lifecycle
from commentsvc import tokens as link_tokens
from commentsvc.errors import (
    CommentNotFound,
    CommentRejected,
    EditNotAllowed,
    EditWindowClosed,
)
from commentsvc.extensions import db
from commentsvc.models.moderation import AuditAction, ModerationEvent
from commentsvc.models.threads import Comment, CommentStatus, PendingEdit
from commentsvc.models.tokens import TokenPurpose
from commentsvc.sanitize import clean_html, plain_text
from commentsvc.sites.config import config_for
from commentsvc.threads.policy import held_reasons, spam_reasons

# --- the author's own comments (edit tokens) --------------------------------------------------
#
# An edit token is the proof that a browser wrote a comment: an opaque random token
# (commentsvc.tokens) whose stored row names the comment and the moment it was issued, so it
# cannot be forged, moved to another comment or made younger, and says nothing to a log (the
# iframe carries it in its address). It allows editing and deleting for EDIT_WINDOW_MINUTES;
# after that it still shows its author their own pending comment, for OWN_TOKEN_DAYS. The
# author's erasure deletes it.
#
# A token of the earlier, signed format is not found: its reader is simply not recognized as
# the author (403 for an edit, no pending comment shown) rather than an error.

OWN_TOKEN_DAYS = 30


def issue_edit_token(comment: Comment, now: datetime) -> str:
    """The token that lets this comment's author change it for a while (the caller commits,
    with the comment)."""
    return link_tokens.issue(
        TokenPurpose.EDIT,
        address=comment.address,
        subject_id=comment.id,
        now=now,
        lifetime=timedelta(days=OWN_TOKEN_DAYS),
    )


def _read_token(token: str | None, now: datetime, max_age: timedelta | None = None) -> int | None:
    """The comment the token names, when the token is genuine (and younger than ``max_age``)."""
    row = link_tokens.find(TokenPurpose.EDIT, token)
    if row is None or not link_tokens.is_current(row, now, max_age):
        return None
    return row.subject_id


def _edit_window(comment: Comment) -> int:
    return config_for(comment.article.site_id)["EDIT_WINDOW_MINUTES"]


def edit_deadline(comment: Comment) -> datetime:
    """Until when the author may edit or delete the comment."""
    return comment.created_at + timedelta(minutes=_edit_window(comment))


def tokens_by_comment(tokens: list[str], now: datetime) -> dict[int, str]:
    """The comments these tokens prove the reader wrote, each with its token (one query)."""
    found = link_tokens.find_many(
        TokenPurpose.EDIT, tokens[:50], now, timedelta(days=OWN_TOKEN_DAYS)
    )
    return {row.subject_id: token for token, row in found.items() if row.subject_id}


def own_ids_from_tokens(tokens: list[str], now: datetime) -> frozenset[int]:
    """The comments these tokens prove the reader wrote (to show them their pending ones)."""
    return frozenset(tokens_by_comment(tokens, now))


def _own_comment(comment_id: int, token: str | None, now: datetime) -> Comment:
    """The comment, when the token proves its author sends the request within the window."""
    if _read_token(token, now) != comment_id:
        raise EditNotAllowed(
            _l("Only the author can change this comment, from the browser it was written in.")
        )
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.status not in (CommentStatus.APPROVED, CommentStatus.PENDING):
        raise CommentNotFound(_l("There is no comment %(id)s.", id=comment_id))
    window = timedelta(minutes=_edit_window(comment))
    if _read_token(token, now, window) is None or now > edit_deadline(comment):
        raise EditWindowClosed(
            ngettext(
                "A comment can only be changed for %(num)d minute after it was written.",
                "A comment can only be changed for %(num)d minutes after it was written.",
                _edit_window(comment),
            )
        )
    return comment


@dataclass(frozen=True)
class Edited:
    """What an author's edit did: the comment as readers now see it, and whether the new
    text waits for a moderator as a revision (the approved text stays published meanwhile)."""

    comment: Comment
    awaits_review: bool = False


def approved_by_moderator(comment: Comment) -> bool:
    """Published because a person read it (a moderator's approval, or keeping it after
    reports), not because the policy let it through: ``decided_by`` names who decided."""
    return comment.status == CommentStatus.APPROVED and comment.decided_by not in (None, "author")


def edit_comment(comment_id: int, text: str, *, token: str | None, now: datetime) -> Edited:
    """The author's new text: sanitized again and judged by the whole policy again, exactly
    as a new comment (``effective_config``: word lists, links, the moderation mode).

    A comment a moderator approved keeps its approved text: the new one waits in the queue as
    a revision (``submit_revision``), in every moderation mode, as an approval covers the
    text the moderator read and no other. Otherwise an approved comment that now breaks a rule
    goes back to the queue (and the moderators who asked for mail hear of it), or to spam for
    a disallowed word. The form's time trap and honeypot are for new comments only: an edit
    has no form stamp to judge.
    """
    comment = _own_comment(comment_id, token, now)
    text = plain_text(text)
    html = clean_html(text)
    if not html:
        raise CommentRejected(_l("Write a comment."), field="comment")
    config = config_for(comment.article.site_id)
    who = {
        "author": comment.author,
        "email": comment.email,
        "website": comment.website,
        "ip": comment.ip,
    }
    if approved_by_moderator(comment):
        reasons = spam_reasons(config, text=text, **who) or held_reasons(
            config,
            text=text,
            html=html,
            site=comment.article.site_id,
            premoderated=comment.article.premoderated,
            **who,
        )
        submit_revision(comment, text, html, reasons, now=now)
        return Edited(comment, awaits_review=True)
    was = comment.status
    comment.text, comment.html, comment.edited_at = text, html, now
    reasons = spam_reasons(config, text=text, **who)
    if reasons:
        comment.status = CommentStatus.SPAM
    else:
        reasons = held_reasons(
            config,
            text=text,
            html=html,
            site=comment.article.site_id,
            premoderated=comment.article.premoderated,
            **who,
        )
        if reasons:
            comment.status = CommentStatus.PENDING
    comment.held_for = "\n".join(reasons)
    if comment.status == CommentStatus.SPAM:
        lifecycle.comment_withdrawn.send(comment.id)  # no mail goes out about spam
    elif comment.status == CommentStatus.PENDING and was == CommentStatus.APPROVED:
        # Unsent notification mails must not quote it; readers hear of it once approved again.
        lifecycle.comment_unpublished.send(comment.id)
        lifecycle.comment_held.send(comment, now=now)
    elif comment.status == CommentStatus.APPROVED:
        lifecycle.comment_text_changed.send(comment)
    db.session.flush()
    return Edited(comment)


def submit_revision(
    comment: Comment, text: str, html: str, reasons: list[str], *, now: datetime
) -> PendingEdit:
    """Keep the author's new text as the comment's one waiting revision (a later edit
    replaces an earlier one), note it in the audit log, and tell the moderators who asked.

    The audit record holds no text: the words wait in the revision, and a rejected revision
    leaves nothing of them behind.
    """
    revision = db.session.execute(
        select(PendingEdit).where(PendingEdit.comment_id == comment.id)
    ).scalar_one_or_none()
    if revision is None:
        revision = PendingEdit(comment_id=comment.id)
        db.session.add(revision)
    revision.text, revision.html, revision.created_at = text, html, now
    revision.held_for = "\n".join(reasons)
    db.session.add(
        ModerationEvent(
            comment_id=comment.id,
            site_id=comment.article.site_id,
            actor="author",
            action=AuditAction.EDIT_SUBMITTED,
            before=comment.status.value,
            after=comment.status.value,
            details={},
            created_at=now,
        )
    )
    db.session.flush()
    return revision


def delete_comment(comment_id: int, *, token: str | None, now: datetime) -> None:
    """The author takes their comment back: it goes to the trash, out of every public view."""
    comment = _own_comment(comment_id, token, now)
    comment.status = CommentStatus.TRASH
    comment.decided_at, comment.decided_by = now, "author"
    lifecycle.comment_withdrawn.send(comment.id)
    db.session.flush()
