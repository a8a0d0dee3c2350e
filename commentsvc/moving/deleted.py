"""Comments deleted at the source: an answered one stays as an empty placeholder so that its
replies keep their place; one that nobody answered is not imported. Both are reported."""

from __future__ import annotations

from flask_babel import gettext as _

from commentsvc.models.threads import CommentStatus
from commentsvc.moving.core import SourceComment, Summary


def keep_answered(
    comments: list[SourceComment], deleted: set[str], system: str, summary: Summary
) -> list[SourceComment]:
    """``comments`` (one article's) without the unanswered deleted ones; the answered deleted
    ones become placeholders. ``deleted`` holds the source ids deleted at the source."""
    answered = {c.parent_source_id for c in comments if c.parent_source_id}
    kept = []
    for comment in comments:
        if comment.source_id in deleted:
            what = _("comment %(id)s", id=comment.source_id)
            if comment.source_id not in answered:
                summary.skipped.append(
                    (what, _("deleted in %(system)s, and nobody answered it", system=system))
                )
                continue
            comment.removed, comment.status = True, CommentStatus.APPROVED
            summary.notes.append(
                (
                    what,
                    _(
                        "deleted in %(system)s but answered: kept as an empty placeholder so "
                        "the replies keep their place",
                        system=system,
                    ),
                )
            )
        kept.append(comment)
    return kept
