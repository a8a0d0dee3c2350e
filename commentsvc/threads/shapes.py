"""A comment and a thread as the API and the embed show them: public fields only; and what a
reader may do with a comment, decided here for the pages, the JSON and the services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from commentsvc.dates import comment_time
from commentsvc.models.threads import Comment, CommentStatus
from commentsvc.threads.reading import Node, Placeholder, Thread
from commentsvc.weburls import safe_href


def _published(comment: Comment | Placeholder) -> bool:
    """Approved and with its text: not waiting (even the author's own), not a removed place."""
    return (
        isinstance(comment, Comment)
        and comment.status == CommentStatus.APPROVED
        and bool(comment.html)
    )


def can_reply(comment: Comment | Placeholder, *, closed: bool) -> bool:
    """A reader may answer a published comment while its thread is open."""
    return _published(comment) and not closed


def can_report(comment: Comment | Placeholder) -> bool:
    """A reader may report a published comment; one that waits is a moderator's already."""
    return _published(comment)


def public_comment(
    comment: Comment, avatar_url: Callable[[str], str], *, closed: bool, own: bool = False
) -> dict[str, Any]:
    """A comment as the API and the embed show it: an explicit list of public fields.

    The email, the address, the reasons it was held and who decided are not in it, and never
    will be: add a field here only when it is public. Its author also gets the text as typed,
    to edit it.
    """
    shape = {
        "id": comment.id,
        "parent": comment.parent_id,
        "depth": comment.depth,
        "author": comment.author,
        "website": safe_href(comment.website),
        "avatar": avatar_url(comment.avatar) if comment.avatar else None,
        "html": comment.html,
        "created": comment.created_at.isoformat(),
        # Formatted by the server, so the embed shows the same time as the page and iframe.
        "created_text": comment_time(comment.created_at),
        "edited": comment.edited_at.isoformat() if comment.edited_at else None,
        "pending": comment.status != CommentStatus.APPROVED,
        # Its author's data was erased with the text: shown as removed, replies in place.
        "removed": not comment.html,
        "can_reply": can_reply(comment, closed=closed),
        "can_report": can_report(comment),
    }
    if own:
        shape["text"] = comment.text
    return shape


def public_thread(
    thread: Thread,
    avatar_url: Callable[[str], str],
    own_ids: frozenset[int] = frozenset(),
    *,
    closed: bool,
) -> list[dict[str, Any]]:
    """The thread's comments, nested: each with its ``replies``; ``closed`` as the thread is."""

    def shape(node: Node) -> dict[str, Any]:
        if node.placeholder:
            # A removed comment that keeps its published replies in place: only its place.
            removed = node.comment
            body = {
                "id": removed.id,
                "parent": removed.parent_id,
                "depth": removed.depth,
                "removed": True,
                "can_reply": can_reply(removed, closed=closed),
                "can_report": can_report(removed),
            }
        else:
            own = node.comment.id in own_ids
            body = public_comment(node.comment, avatar_url, closed=closed, own=own)
        return {**body, "replies": [shape(child) for child in node.children]}

    def top(node: Node) -> dict[str, Any]:
        # A page carries a bounded number of replies: the rest are read with this cursor
        # (``GET /api/v1/comments?article=…&replies=<cursor>``).
        after = node.replies_after.cursor if node.more_replies and node.replies_after else None
        return {**shape(node), "more_replies": node.more_replies, "replies_cursor": after}

    return [top(node) for node in thread.nodes]
