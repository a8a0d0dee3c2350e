"""Threads and their comments: opening, posting, reading, the author's own edits.

The package's public face: callers write ``threads.post_comment(...)``; each name lives in
one module below (articles, posting, reading, authoring, shapes; the policy in ``policy``).
"""

from commentsvc.threads.articles import (
    closes_at,
    count_comments,
    create_article,
    find_article,
    is_closed,
    open_article,
    plain_title,
)
from commentsvc.threads.authoring import (
    Edited,
    delete_comment,
    edit_comment,
    edit_deadline,
    issue_edit_token,
    own_ids_from_tokens,
    tokens_by_comment,
)
from commentsvc.threads.posting import Draft, post_comment
from commentsvc.threads.reading import (
    Node,
    PageStart,
    Placeholder,
    Thread,
    ThreadSummary,
    load_thread,
    page_and_pages,
    page_of,
    page_starts,
    thread_summary,
)
from commentsvc.threads.replies import RepliesFrom
from commentsvc.threads.shapes import can_reply, can_report, public_comment, public_thread

__all__ = [
    "Draft",
    "Edited",
    "Node",
    "PageStart",
    "Placeholder",
    "RepliesFrom",
    "Thread",
    "ThreadSummary",
    "can_reply",
    "can_report",
    "closes_at",
    "count_comments",
    "create_article",
    "delete_comment",
    "edit_comment",
    "edit_deadline",
    "find_article",
    "is_closed",
    "issue_edit_token",
    "load_thread",
    "open_article",
    "own_ids_from_tokens",
    "page_and_pages",
    "page_of",
    "page_starts",
    "plain_title",
    "post_comment",
    "public_comment",
    "public_thread",
    "thread_summary",
    "tokens_by_comment",
]
