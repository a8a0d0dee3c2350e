"""What the Atom feeds list: the newest published comments, of one article or the whole site."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from commentsvc.extensions import db
from commentsvc.models.threads import Article, Comment, CommentStatus

FEED_ENTRIES = 50


def latest_comments(
    article: Article | None = None, *, site: str | None = None, limit: int = FEED_ENTRIES
) -> list[Comment]:
    """The newest approved comments that still have their text, with their articles (one
    query): of one article, or of one site's articles."""
    query = (
        select(Comment)
        .join(Comment.article)
        .options(contains_eager(Comment.article))
        .where(Comment.status == CommentStatus.APPROVED, Comment.html != "")
        .order_by(Comment.created_at.desc(), Comment.id.desc())
        .limit(limit)
    )
    if article is not None:
        query = query.where(Comment.article_id == article.id)
    elif site is not None:
        query = query.where(Article.site_id == site)
    return list(db.session.execute(query).scalars())
