"""Leaving for WordPress: every article that has comments, as a WXR 1.2 file (a WordPress
export) that WordPress's importer (Tools → Import → WordPress) reads.

The file follows what WordPress's own export writes and what each of the importer's three
parsers (SimpleXML, the XML extension, and the line-by-line regex fallback) reads: the
prefixes ``wp``, ``content``, ``excerpt``, ``dc``; ``wp:wxr_version`` on its own line;
``<item>`` and ``<wp:comment>`` without attributes; the fields in WordPress's order (the regex
parser takes the first ``<wp:comment_author…>`` it meets, so ``comment_author`` must come
before ``comment_author_email``); every text in CDATA, split where it holds ``]]>``.

It is written as text, a page of rows at a time (keyset pages, never the whole database nor
a document tree in memory), so its memory stays flat however many comments there are.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from typing import TextIO
from zoneinfo import ZoneInfo

from sqlalchemy import exists, func, select

from commentsvc.extensions import db
from commentsvc.models.sites import DEFAULT_SITE
from commentsvc.models.threads import Article, Comment, CommentStatus
from commentsvc.sanitize import xml_chars

WXR_VERSION = "1.2"
NAMESPACES = {
    "excerpt": "http://wordpress.org/export/1.2/excerpt/",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "wfw": "http://wellformedweb.org/CommentAPI/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "wp": "http://wordpress.org/export/1.2/",
}
# The comment meta that marks the site's own replies: WordPress keeps it with the comment, and
# our import-wordpress reads it back (a round trip keeps them the site's).
STAFF_META = "commentsvc_staff"
APPROVAL = {
    CommentStatus.APPROVED: "1",
    CommentStatus.PENDING: "0",
    CommentStatus.SPAM: "spam",
    CommentStatus.TRASH: "trash",
}
PAGE = 500
WP_DATE = "%Y-%m-%d %H:%M:%S"


@dataclass
class Site:
    """Which site's threads the export holds, and what it says about the site: its name (the
    voice of staff replies), its public address, and its time zone (WordPress's local dates)."""

    name: str
    url: str
    zone: ZoneInfo
    id: str = DEFAULT_SITE


@dataclass
class Written:
    articles: int = 0
    comments: int = 0


def comments_to_write(site_id: str = DEFAULT_SITE) -> int:
    """How many comments the export of ``site_id`` will hold (for a progress bar)."""
    return db.session.execute(
        select(func.count())
        .select_from(Comment)
        .join(Article, Article.id == Comment.article_id)
        .where(Article.site_id == site_id)
    ).scalar_one()


def write_wxr(
    out: TextIO, site: Site, *, now: datetime, advance: Callable[[int], None] | None = None
) -> Written:
    """Write the export to ``out``; ``advance(n)`` is told of each page of comments written."""
    written = Written()
    out.write('<?xml version="1.0" encoding="UTF-8" ?>\n')
    out.write("<!-- A WordPress export (WXR 1.2) written by commentsvc export-wordpress. -->\n")
    names = "".join(f'\n\txmlns:{prefix}="{uri}"' for prefix, uri in NAMESPACES.items())
    out.write(f'<rss version="2.0"{names}\n>\n\n<channel>\n')
    out.write(f"\t<title>{_cdata(site.name)}</title>\n")
    out.write(f"\t<link>{_cdata(site.url)}</link>\n")
    out.write("\t<description></description>\n")
    out.write(f"\t<pubDate>{format_datetime(now)}</pubDate>\n")
    out.write(f"\t<wp:wxr_version>{WXR_VERSION}</wp:wxr_version>\n")
    out.write(f"\t<wp:base_site_url>{_cdata(site.url)}</wp:base_site_url>\n")
    out.write(f"\t<wp:base_blog_url>{_cdata(site.url)}</wp:base_blog_url>\n")
    out.write("\t<generator>commentsvc</generator>\n\n")
    for article in _articles(site.id):
        written.articles += 1
        _item_head(out, article, site)
        for page in _comment_pages(article.id):
            for comment in page:
                _comment(out, comment, site)
            written.comments += len(page)
            if advance is not None:
                advance(len(page))
        out.write("\t</item>\n")
    out.write("</channel>\n</rss>\n")
    return written


def _articles(site_id: str) -> Iterator:
    """Every article of the site that has a comment, by id, a page at a time."""
    columns = (Article.id, Article.key, Article.title, Article.url, Article.closed)
    last = 0
    while True:
        page = db.session.execute(
            select(*columns, Article.created_at)
            .where(
                Article.site_id == site_id,
                Article.id > last,
                exists().where(Comment.article_id == Article.id),
            )
            .order_by(Article.id)
            .limit(PAGE)
        ).all()
        yield from page
        if len(page) < PAGE:
            return
        last = page[-1].id


def _comment_pages(article_id: int) -> Iterator[list]:
    """One article's comments, oldest id first, a page at a time."""
    columns = (
        Comment.id,
        Comment.parent_id,
        Comment.status,
        Comment.text,
        Comment.author,
        Comment.email,
        Comment.website,
        Comment.ip,
        Comment.created_at,
        Comment.by_staff,
    )
    last = 0
    while True:
        page = db.session.execute(
            select(*columns)
            .where(Comment.article_id == article_id, Comment.id > last)
            .order_by(Comment.id)
            .limit(PAGE)
        ).all()
        if page:
            yield page
        if len(page) < PAGE:
            return
        last = page[-1].id


def _item_head(out: TextIO, article, site: Site) -> None:
    local, gmt = _dates(article.created_at, site.zone)
    out.write(
        "\t<item>\n"
        f"\t\t<title>{_cdata(article.title or article.key)}</title>\n"
        f"\t\t<link>{_cdata(article.url)}</link>\n"
        f"\t\t<pubDate>{format_datetime(article.created_at)}</pubDate>\n"
        f"\t\t<dc:creator>{_cdata(site.name)}</dc:creator>\n"
        f'\t\t<guid isPermaLink="false">{_cdata(article.url)}</guid>\n'
        "\t\t<description></description>\n"
        "\t\t<content:encoded><![CDATA[]]></content:encoded>\n"
        "\t\t<excerpt:encoded><![CDATA[]]></excerpt:encoded>\n"
        f"\t\t<wp:post_id>{article.id}</wp:post_id>\n"
        f"\t\t<wp:post_date>{_cdata(local)}</wp:post_date>\n"
        f"\t\t<wp:post_date_gmt>{_cdata(gmt)}</wp:post_date_gmt>\n"
        f"\t\t<wp:comment_status>{_cdata('closed' if article.closed else 'open')}"
        "</wp:comment_status>\n"
        "\t\t<wp:ping_status><![CDATA[closed]]></wp:ping_status>\n"
        f"\t\t<wp:post_name>{_cdata(article.key)}</wp:post_name>\n"
        "\t\t<wp:status><![CDATA[publish]]></wp:status>\n"
        "\t\t<wp:post_parent>0</wp:post_parent>\n"
        "\t\t<wp:menu_order>0</wp:menu_order>\n"
        "\t\t<wp:post_type><![CDATA[post]]></wp:post_type>\n"
        "\t\t<wp:post_password><![CDATA[]]></wp:post_password>\n"
        "\t\t<wp:is_sticky>0</wp:is_sticky>\n"
    )


def _comment(out: TextIO, comment, site: Site) -> None:
    local, gmt = _dates(comment.created_at, site.zone)
    # The site's own replies speak as the site: its name, no moderator's address, no user.
    author = site.name if comment.by_staff else comment.author
    email = "" if comment.by_staff else comment.email
    meta = (
        "\t\t\t<wp:commentmeta>\n"
        f"\t\t\t\t<wp:meta_key>{_cdata(STAFF_META)}</wp:meta_key>\n"
        "\t\t\t\t<wp:meta_value><![CDATA[1]]></wp:meta_value>\n"
        "\t\t\t</wp:commentmeta>\n"
        if comment.by_staff
        else ""
    )
    out.write(
        "\t\t<wp:comment>\n"
        f"\t\t\t<wp:comment_id>{comment.id}</wp:comment_id>\n"
        f"\t\t\t<wp:comment_author>{_cdata(author)}</wp:comment_author>\n"
        f"\t\t\t<wp:comment_author_email>{_cdata(email)}</wp:comment_author_email>\n"
        f"\t\t\t<wp:comment_author_url>{_cdata(comment.website)}</wp:comment_author_url>\n"
        f"\t\t\t<wp:comment_author_IP>{_cdata(comment.ip)}</wp:comment_author_IP>\n"
        f"\t\t\t<wp:comment_date>{_cdata(local)}</wp:comment_date>\n"
        f"\t\t\t<wp:comment_date_gmt>{_cdata(gmt)}</wp:comment_date_gmt>\n"
        f"\t\t\t<wp:comment_content>{_cdata(comment.text)}</wp:comment_content>\n"
        f"\t\t\t<wp:comment_approved>{_cdata(APPROVAL[comment.status])}</wp:comment_approved>\n"
        "\t\t\t<wp:comment_type><![CDATA[comment]]></wp:comment_type>\n"
        f"\t\t\t<wp:comment_parent>{comment.parent_id or 0}</wp:comment_parent>\n"
        "\t\t\t<wp:comment_user_id>0</wp:comment_user_id>\n"
        f"{meta}"
        "\t\t</wp:comment>\n"
    )


def _dates(moment: datetime, zone: ZoneInfo) -> tuple[str, str]:
    """WordPress's two dates: in the site's time zone, and in UTC."""
    return moment.astimezone(zone).strftime(WP_DATE), moment.astimezone(ZoneInfo("UTC")).strftime(
        WP_DATE
    )


def _cdata(value: str | None) -> str:
    """Text as WordPress writes it (wxr_cdata): in CDATA, a ``]]>`` inside split over two."""
    text = xml_chars(value or "").replace("]]>", "]]]]><![CDATA[>")
    return f"<![CDATA[{text}]]>"
