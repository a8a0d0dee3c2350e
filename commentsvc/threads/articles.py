"""Articles (threads): finding, opening on first use, closing, and counting."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func, select

from commentsvc.errors import (
    ArticleNotFound,
    InvalidRequest,
    TooManyNewArticles,
)
from commentsvc.extensions import db
from commentsvc.models.base import utcnow
from commentsvc.models.threads import (
    ARTICLE_TITLE_MAX,
    ARTICLE_URL_MAX,
    Article,
    Comment,
    CommentStatus,
)
from commentsvc.sanitize import plain_line
from commentsvc.sites.config import config_for, current_site_id
from commentsvc.weburls import BadWebUrl, clean_web_url, on_origins


def _article(key: str, site: str | None) -> Article | None:
    wanted = select(Article).where(
        Article.site_id == (site or current_site_id()), Article.key == key
    )
    return db.session.execute(wanted).scalar_one_or_none()


def find_article(key: str, *, site: str | None = None) -> Article:
    """The article with this key on ``site`` (default: the request's), or ArticleNotFound."""
    article = _article(key, site)
    if article is None:
        raise ArticleNotFound(_l("There is no discussion for this article."), field="article")
    return article


def open_article(
    key: str,
    *,
    site: str | None = None,
    title: str = "",
    url: str = "",
    may_create: bool,
    allowed_origins: list[str] | tuple[str, ...] = (),
    count_creation: Callable[[], None] | None = None,
    now: datetime | None = None,
) -> Article:
    """The article with this key; created on first use only when the caller may create it.

    A new thread's address must be an http(s) address on one of ``allowed_origins`` (the host
    sites), so a program cannot plant links to elsewhere in the moderation queue and the feeds.
    At most ``MAX_NEW_ARTICLES_PER_DAY`` threads are opened this way in 24 hours, and
    ``count_creation`` (the per-address rate limit) may refuse one with TooManyNewArticles.
    """
    site = site or current_site_id()
    try:
        return find_article(key, site=site)
    except ArticleNotFound:
        if not may_create:
            raise
    try:
        url = clean_web_url(url.replace("\x00", ""), limit=ARTICLE_URL_MAX, bare_domain=False)
    except BadWebUrl as error:
        raise InvalidRequest(error.message, field="url") from error
    if url and not on_origins(url, list(allowed_origins)):
        raise InvalidRequest(
            _l("The article's address must lie on the website that shows the comments."),
            field="url",
        )
    now = now or utcnow()
    _refuse_beyond_daily_cap(site, now)
    if count_creation is not None:
        count_creation()
    article = Article(
        site_id=site,
        key=key,
        title=plain_title(title) or key,
        url=url,
        created_at=now,
        created_on_first_use=True,
    )
    db.session.add(article)  # new in the session until the caller commits
    return article


def plain_title(title: str) -> str:
    """A title as shown: one plain line (``sanitize.plain_line``, as a name), white space
    trimmed, at most the column."""
    return plain_line(title).strip()[:ARTICLE_TITLE_MAX]


def _refuse_beyond_daily_cap(site: str, now: datetime) -> None:
    cap = config_for(site)["MAX_NEW_ARTICLES_PER_DAY"]
    opened = db.session.execute(
        select(func.count())
        .select_from(Article)
        .where(
            Article.site_id == site,
            Article.created_on_first_use,
            Article.created_at > now - timedelta(days=1),
        )
    ).scalar_one()
    if opened >= cap:
        raise TooManyNewArticles(
            _l(
                "No new discussions can be opened right now: the site's limit of new "
                "discussions per day is reached. Try again tomorrow."
            ),
            field="article",
        )


def create_article(
    key: str,
    *,
    title: str | None = None,
    url: str | None = None,
    closed: bool | None = None,
    site: str | None = None,
) -> Article:
    """Register an article of ``site`` (default: the command's or request's) ahead of its
    first reader (the site owner's command).

    For an article registered before, a field left out (None) keeps its stored value: running
    the command again to close a thread must not blank its address or title.
    """
    site = site or current_site_id()
    article = _article(key, site)
    if article is None:
        article = Article(site_id=site, key=key, title=key, url="", closed=False)
        db.session.add(article)
    if url is not None:
        try:
            article.url = clean_web_url(url, limit=ARTICLE_URL_MAX, bare_domain=False)
        except BadWebUrl as error:
            raise InvalidRequest(error.message, field="url") from error
    if title is not None:
        article.title = plain_title(title)
    if closed is not None:
        article.closed = closed
    db.session.flush()
    return article


def closes_at(article: Article) -> datetime | None:
    """When an open thread closes by age (``CLOSE_AFTER_DAYS``); None when it never does."""
    days = config_for(article.site_id)["CLOSE_AFTER_DAYS"]
    if article.closed or not days:
        return None
    return article.created_at + timedelta(days=days)


def is_closed(article: Article, now: datetime) -> bool:
    """Closed by flag, or older than ``CLOSE_AFTER_DAYS`` (0 keeps threads open)."""
    closes = closes_at(article)
    return article.closed or (closes is not None and closes < now)


def count_comments(keys: list[str], *, site: str | None = None) -> dict[str, int]:
    """Approved comments per article key of ``site`` (default: the request's), in one query;
    unknown keys count 0.

    A count per article as a correlated subquery, which PostgreSQL answers from the index
    ix_comment_thread alone (bench/EXPLAIN.md); a LEFT JOIN ... GROUP BY makes the planner
    hash-join the whole comment table once the list is long.
    """
    wanted = list(dict.fromkeys(keys))
    if not wanted:
        return {}
    approved = (
        select(func.count())
        .where(Comment.article_id == Article.id, Comment.status == CommentStatus.APPROVED)
        .scalar_subquery()
    )
    # One expanding parameter: the compiled statement is cached whatever the keys are.
    statement = select(Article.key, approved).where(
        Article.site_id == bindparam("site"), Article.key.in_(bindparam("keys", expanding=True))
    )
    rows = db.session.execute(statement, {"site": site or current_site_id(), "keys": wanted}).all()
    found = {key: int(count) for key, count in rows}
    return {key: found.get(key, 0) for key in wanted}
