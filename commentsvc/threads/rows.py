"""Building a comment row: one constructor for a reader's post, a staff reply and an import.

Whoever writes a comment, its place in the thread and what it keeps about its author follow
the same rules: the top-level comment it hangs under, its depth (``MAX_DEPTH``), an
anonymized IP, the normalized address (``Comment``'s validator), and an avatar key that is a
keyed hash of the person, never the email.
"""

from __future__ import annotations

from datetime import datetime

from commentsvc.models.threads import Article, Comment, CommentStatus
from commentsvc.privacy.addresses import anonymize_ip, avatar_key
from commentsvc.sanitize import plain_line, plain_text
from commentsvc.sites.config import config_for

# The name shown for a comment whose author gave none or was erased (gdpr.rights).
ANONYMOUS_AUTHOR = "Anonym"


def new_comment(
    article: Article,
    parent: Comment | None,
    *,
    text: str,
    html: str,
    author: str,
    email: str = "",
    website: str = "",
    ip: str = "",
    status: CommentStatus,
    created_at: datetime,
    held_for: str = "",
    by_staff: bool = False,
    decided_at: datetime | None = None,
    decided_by: str | None = None,
) -> Comment:
    """A new comment under ``article`` answering ``parent`` (None: top level), not yet added
    to the session. ``text`` is as typed, ``html`` its sanitized form (``sanitize``).

    Whoever calls, the name is a plain line and the text plain text (``sanitize``): an
    import or a staff reply cannot store a control character in them either. Addresses are
    the callers' to check (``weburls``, the forms): one is refused, never mended.

    A comment without text is a removed one (an import keeps it as a placeholder): it shows
    no avatar. A comment without a name is shown as ``ANONYMOUS_AUTHOR``; its avatar, if
    any, comes from the email alone.
    """
    config = config_for(article.site_id)
    author = plain_line(author).strip()
    return Comment(
        article=article,
        parent=parent,
        root_id=(parent.root_id or parent.id) if parent else None,
        # A reply to the deepest level is kept at that level, with its real parent, as
        # WordPress shows it.
        depth=min(parent.depth + 1, config["MAX_DEPTH"]) if parent else 1,
        status=status,
        held_for=held_for,
        text=plain_text(text),
        html=html,
        author=author or ANONYMOUS_AUTHOR,
        email=email,
        website=website,
        ip=anonymize_ip(ip),  # never more than the network, whoever passes it
        avatar=avatar_key(config["SECRET_KEY"], email, author) if html else "",
        by_staff=by_staff,
        created_at=created_at,
        decided_at=decided_at,
        decided_by=decided_by,
    )
