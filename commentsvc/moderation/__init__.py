"""The moderators' side: decisions on comments, the desk (queue), accounts, sign-in, audit.

The decisions are the package's public face (``moderation.approve(...)``, from ``actions`` and
``undo``);
the desk, accounts, auth and audit are imported as modules of their own.
"""

from commentsvc.moderation.actions import (
    ACTIONS,
    BulkRefused,
    ModerationRefused,
    approve,
    bulk,
    delete_permanently,
    edit,
    get_comment,
    mark_spam,
    pick,
    record,
    reply_as_staff,
    restore,
    trash,
    unapprove,
    unpick,
)
from commentsvc.moderation.reported import (
    REPORT_HOLD,
    REPORTS_KEPT,
    hold_after_reports,
    keep_reported,
)
from commentsvc.moderation.undo import UNDOABLE, can_undo, last_decision, undo_last

__all__ = [
    "ACTIONS",
    "REPORTS_KEPT",
    "REPORT_HOLD",
    "UNDOABLE",
    "BulkRefused",
    "ModerationRefused",
    "approve",
    "bulk",
    "can_undo",
    "delete_permanently",
    "edit",
    "get_comment",
    "hold_after_reports",
    "keep_reported",
    "last_decision",
    "mark_spam",
    "pick",
    "record",
    "reply_as_staff",
    "restore",
    "trash",
    "unapprove",
    "undo_last",
    "unpick",
]
