"""One thread at a time: close, reopen, pre-moderate or post-moderate an article, and the
desk's list of articles with their state and counts.

A change touches the one flag it names and nothing else of the article (title, address and
key stay as the site owner registered them), and is recorded in the audit log with the
article's site; the caller commits.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from commentsvc import audit
from commentsvc.errors import ArticleNotFound
from commentsvc.extensions import db
from commentsvc.models.moderation import AuditAction
from commentsvc.models.threads import Article, Comment, CommentStatus
from commentsvc.moderation.desk import folded
from commentsvc.threads.articles import is_closed

PER_PAGE = 25


@dataclass(frozen=True)
class Change:
    """One of the four changes: the flag it sets, the value, and its audit record."""

    flag: str
    value: bool
    action: AuditAction


CHANGES = {
    "close": Change("closed", True, AuditAction.ARTICLE_CLOSED),
    "reopen": Change("closed", False, AuditAction.ARTICLE_REOPENED),
    "premoderate": Change("premoderated", True, AuditAction.ARTICLE_PREMODERATED),
    "postmoderate": Change("premoderated", False, AuditAction.ARTICLE_POSTMODERATED),
}


# What a change did (or that there was nothing to do), with ``article`` the thread as the
# page or command names it; shared by the desk and the command line.
DONE = {
    "close": _l("%(article)s is closed: no new comments."),
    "reopen": _l("%(article)s takes new comments again."),
    "premoderate": _l("%(article)s is pre-moderated: every new comment waits for a moderator."),
    "postmoderate": _l("%(article)s follows the site's moderation policy again."),
}
UNCHANGED = {
    "close": _l("%(article)s was closed already; nothing changed."),
    "reopen": _l("%(article)s was open already; nothing changed."),
    "premoderate": _l("%(article)s was pre-moderated already; nothing changed."),
    "postmoderate": _l(
        "%(article)s followed the site's moderation policy already; nothing changed."
    ),
}
CLOSED_BY_AGE = _l(
    "%(article)s stays closed: it is older than the site's limit for comments "
    "(CLOSE_AFTER_DAYS), which reopening does not change."
)


def outcome(article: Article, change: str, changed: bool, *, name: str, now: datetime) -> str:
    """The sentence for what ``change_article`` did, the thread named ``name``."""
    if change == "reopen" and is_closed(article, now):
        return str(CLOSED_BY_AGE % {"article": name})
    return str((DONE if changed else UNCHANGED)[change] % {"article": name})


def get_article(article_id: int) -> Article:
    article = db.session.get(Article, article_id)
    if article is None:
        raise ArticleNotFound(_l("There is no discussion for this article."))
    return article


def change_article(article: Article, change: str, *, by: str, now: datetime) -> bool:
    """Apply ``change`` (a key of ``CHANGES``) to the article: True when it changed, and is
    recorded; False when the article was so already (nothing to record)."""
    wanted = CHANGES[change]
    if getattr(article, wanted.flag) == wanted.value:
        return False
    setattr(article, wanted.flag, wanted.value)
    # The key names the thread for the people of its site; no reader is named.
    details = {"article": article.key}
    audit.record_event(wanted.action, details, by=by, now=now, site=article.site_id)
    db.session.flush()
    return True


# --- the desk's list ---------------------------------------------------------------------


@dataclass(frozen=True)
class ArticleRow:
    article: Article
    closed: bool  # by the flag, or by age (CLOSE_AFTER_DAYS)
    published: int
    pending: int
    removed: int  # spam and trash


@dataclass(frozen=True)
class ArticlePage:
    rows: list[ArticleRow]
    page: int
    pages: int
    total: int


def _count(status: Collection[CommentStatus]):
    return (
        select(func.count())
        .where(Comment.article_id == Article.id, Comment.status.in_(list(status)))
        .scalar_subquery()
    )


def list_articles(
    *,
    title: str | None = None,
    sites: Collection[str] | None = None,
    page: int = 1,
    now: datetime,
    per_page: int = PER_PAGE,
) -> ArticlePage:
    """A page of the articles of ``sites`` (None: every site), newest first; ``title``: only
    those whose title or key holds this part (any case)."""
    conditions = [] if sites is None else [Article.site_id.in_(sorted(sites))]
    if title:
        part = title.lower()  # as unicode_lower and lower() fold the stored titles
        # Any case, also of å, ä and ö: SQLite's lower() folds ASCII only (desk.folded).
        conditions.append(
            folded(Article.title).contains(part, autoescape=True)
            | folded(Article.key).contains(part, autoescape=True)
        )
    query = select(Article).where(*conditions).order_by(Article.created_at.desc(), Article.id)
    found = db.paginate(query, page=page, per_page=per_page, error_out=False)
    if found.pages and found.page > found.pages:  # a page past the end: the last one
        found = db.paginate(query, page=found.pages, per_page=per_page, error_out=False)
    articles = list(found.items)
    counts = {}
    if articles:
        counts = {
            row.id: row
            for row in db.session.execute(
                select(
                    Article.id,
                    _count([CommentStatus.APPROVED]).label("published"),
                    _count([CommentStatus.PENDING]).label("pending"),
                    _count([CommentStatus.SPAM, CommentStatus.TRASH]).label("removed"),
                ).where(Article.id.in_([a.id for a in articles]))
            )
        }
    rows = [
        ArticleRow(
            a,
            is_closed(a, now),
            counts[a.id].published,
            counts[a.id].pending,
            counts[a.id].removed,
        )
        for a in articles
    ]
    return ArticlePage(rows, found.page, max(1, found.pages), found.total or 0)
