"""Moderation policy (why a comment is held) and state changes with their audit trail."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .errors import CommentNotFound
from .extensions import db
from .models import Comment, CommentStatus
from .sanitize import count_links


def held_reasons(config: Mapping[str, Any], *, author: str, email: str, html: str) -> list[str]:
    """Why a new comment must wait for a moderator, as reason codes (``describe_reason``).

    Empty when it may be published at once. Codes, not sentences, are stored, so the queue
    shows them in the moderator's language.
    """
    mode = config["MODERATION"]
    if mode == "none":
        return []
    reasons = []
    if mode == "all":
        reasons.append("all")
    elif not _has_approved_comment(author, email):
        reasons.append("first-time")
    links = count_links(html)
    if links > config["MAX_LINKS"]:
        reasons.append(f"links:{links}")
    return reasons


def describe_reason(code: str) -> str:
    """A stored reason code as a sentence for the moderator."""
    name, _, detail = code.partition(":")
    if name == "all":
        return str(_l("every comment is reviewed"))
    if name == "first-time":
        return str(_l("first comment from this author"))
    if name == "links":
        return str(_l("%(count)s links", count=detail))
    return code


def _has_approved_comment(author: str, email: str) -> bool:
    """WordPress's rule: an earlier approved comment under the same name and email."""
    found = db.session.execute(
        select(Comment.id)
        .where(
            Comment.email == email,
            Comment.author == author,
            Comment.status == CommentStatus.APPROVED,
        )
        .limit(1)
    ).first()
    return found is not None


def approve(comment_id: int, *, by: str, now: datetime) -> Comment:
    """Publish a comment; a reply is published only with its parent already public."""
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        raise CommentNotFound(_l("There is no comment %(id)s.", id=comment_id))
    comment.status = CommentStatus.APPROVED
    comment.decided_at = now
    comment.decided_by = by
    db.session.commit()
    return comment
