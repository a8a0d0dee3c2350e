"""A comment and a thread as the API and the embed show them: public fields only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from commentsvc.dates import comment_time
from commentsvc.models import (
    Comment,
    CommentStatus,
)
from commentsvc.threads.reading import Node, Thread
from commentsvc.weburls import safe_href


def public_comment(
    comment: Comment, avatar_url: Callable[[str], str], *, own: bool = False
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
    }
    if own:
        shape["text"] = comment.text
    return shape


def public_thread(
    thread: Thread, avatar_url: Callable[[str], str], own_ids: frozenset[int] = frozenset()
) -> list[dict[str, Any]]:
    """The thread's comments, nested: each with its ``replies``."""

    def shape(node: Node) -> dict[str, Any]:
        if node.placeholder:
            # A removed comment that keeps its published replies in place: only its place.
            removed = node.comment
            body = {
                "id": removed.id,
                "parent": removed.parent_id,
                "depth": removed.depth,
                "removed": True,
            }
        else:
            body = public_comment(node.comment, avatar_url, own=node.comment.id in own_ids)
        return {**body, "replies": [shape(child) for child in node.children]}

    return [shape(node) for node in thread.nodes]
