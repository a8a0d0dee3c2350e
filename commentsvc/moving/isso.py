"""Isso's SQLite database (its ``threads`` and ``comments`` tables) to articles and comments.

Isso (isso-comments/isso, ``isso/db/comments.py``) keeps one row per comment: ``mode`` 1
published, 2 pending, 4 deleted but kept because answered; ``parent`` (Isso keeps two levels);
``created``/``modified`` as epoch seconds; ``remote_addr`` already anonymized; the text as
typed (Markdown, rendered on every read: its marks become our tags, ``markdown_text``); the
name, email and website HTML-escaped when stored; ``likes``/``dislikes``; ``notification`` 1
when the author asked for mail on replies.

Where a thread goes: its ``uri`` is what Isso's client sent, most often the page's path
(``/nyheter/soi-mitt/``), sometimes a whole address or an identifier (``data-isso-id``).
The article key is the path (as ``import-disqus`` keys by path), or the identifier as it is.
A path's page is on ``--base-url``, which must be one of ``ALLOWED_ORIGINS`` (the only one
is taken when there is one); a whole address must be on an allowed host, or its thread is
skipped with the reason. An identifier's article has no address (noted).

The database is opened read-only and read in one pass ordered by thread, so memory holds one
thread at a time; each field comes out of SQLite cut to the form's limit (its real length
beside it, for the summary), so a huge row costs its first few thousand characters
(``isso_file``).
"""

from __future__ import annotations

import itertools
import sqlite3
from datetime import UTC, datetime
from urllib.parse import urlsplit

from flask_babel import gettext as _
from flask_babel import ngettext

from commentsvc.models.threads import ARTICLE_URL_MAX, CommentStatus
from commentsvc.moving.core import (
    ImportRefused,
    LongText,
    Progress,
    ProgressBar,
    SourceArticle,
    SourceComment,
    Summary,
)
from commentsvc.moving.isso_file import (
    comment_rows,
    field,
    open_database,
    source_name,
)
from commentsvc.moving.markdown_text import to_comment_html
from commentsvc.moving.pages import SiteHosts
from commentsvc.moving.store import ArticleStore
from commentsvc.sites import effective_config
from commentsvc.weburls import web_origin

PUBLISHED, PENDING, DELETED = 1, 2, 4
SHOWN_IDS = 20


def _text(row: sqlite3.Row) -> str:
    """The comment's Markdown as the tags Isso rendered it with (``markdown_text``)."""
    typed = field(row, "text")
    text = to_comment_html(typed)
    if isinstance(typed, LongText):
        text = LongText(text)
        text.length = typed.length + len(text) - len(typed)
    return text


def _moment(value) -> datetime | None:
    try:
        return datetime.fromtimestamp(float(value), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def base_for(base_url: str | None) -> str | None:
    """The origin a thread's path is on: ``--base-url`` (which must be an allowed origin),
    else the only allowed origin, else None (each path thread is then skipped, saying so)."""
    allowed = {web_origin(origin) for origin in effective_config()["ALLOWED_ORIGINS"]}
    allowed.discard("")
    if base_url is None:
        return next(iter(allowed)) if len(allowed) == 1 else None
    origin = web_origin(base_url)
    if not origin or origin not in allowed:
        raise ImportRefused(
            _(
                "--base-url %(url)s is not one of ALLOWED_ORIGINS (%(allowed)s). "
                "Nothing was imported.",
                url=base_url,
                allowed=", ".join(sorted(allowed)) or "-",
            )
        )
    return origin


def _article(
    row: sqlite3.Row, base: str | None, site: SiteHosts, summary: Summary
) -> SourceArticle | str:
    """The article of a thread, or why its comments cannot have one."""
    if row["thread"] is None:
        return _("its thread (%(tid)s) is not in the database", tid=row["tid"])
    uri = field(row, "uri").strip()
    if getattr(uri, "length", len(uri)) > ARTICLE_URL_MAX:
        return _("its uri is longer than %(limit)d characters", limit=ARTICLE_URL_MAX)
    title = field(row, "title", escaped=True)
    what = _("thread %(id)s", id=row["thread"])
    if uri.startswith("/"):
        if base is None:
            return _(
                "its uri %(uri)r is a path, and the site it is on is not known: give "
                "--base-url (one of ALLOWED_ORIGINS)",
                uri=uri[:200],
            )
        key, url = uri, base + uri
    elif urlsplit(uri).scheme.lower() in ("http", "https"):
        # The rule of every import that reads page addresses (moving.pages).
        page = site.page(uri)
        if isinstance(page, str):
            return page
        key, url = page.key, page.url
    else:
        key, url = uri, ""
        summary.notes.append(
            (
                what,
                _(
                    "its uri %(uri)r is an identifier, not an address: the article has none",
                    uri=uri[:200],
                ),
            )
        )
    return SourceArticle(
        source_id=str(row["thread"]),
        key=key,
        title=title if title != uri else "",
        url=url,
        closed=False,
        created_at=_moment(row["created"]),
    )


def _comment(row: sqlite3.Row, answered: set[str], summary: Summary) -> SourceComment | None:
    source_id = str(row["id"])
    what = _("comment %(id)s", id=source_id)
    mode, notes, removed = row["mode"], [], False
    if mode == PUBLISHED:
        status = CommentStatus.APPROVED
    elif mode == PENDING:
        status = CommentStatus.PENDING
    elif mode == DELETED:
        if source_id not in answered:
            summary.skipped.append((what, _("deleted in Isso and not answered: nothing to keep")))
            return None
        # Kept as Isso shows it: an empty placeholder, so that the replies keep their place.
        status, removed = CommentStatus.APPROVED, True
        notes.append(_("deleted in Isso but answered: kept as an empty placeholder"))
    else:
        status = CommentStatus.PENDING
        notes.append(_("unknown Isso mode %(mode)r; kept as pending", mode=mode))
    created_at = _moment(row["created"])
    if created_at is None:
        notes.append(_("no readable date; the article's date was used"))
    parent = row["parent"]
    return SourceComment(
        source_id=source_id,
        parent_source_id=str(parent) if parent is not None else None,
        author=field(row, "author", escaped=True),
        email=field(row, "email", escaped=True),
        website=field(row, "website", escaped=True),
        ip=field(row, "remote_addr").strip(),
        created_at=created_at,
        text=_text(row),
        status=status,
        date_note="; ".join(notes),
        removed=removed,
        edited_at=_moment(row["modified"]),
    )


class _LeftBehind:
    """Likes and reply subscriptions, which have no place here, counted for the summary."""

    def __init__(self):
        self.likes = self.dislikes = self.liked = 0
        self.subscribed: list[str] = []

    def add(self, row: sqlite3.Row) -> None:
        likes, dislikes = int(row["likes"] or 0), int(row["dislikes"] or 0)
        self.likes, self.dislikes = self.likes + likes, self.dislikes + dislikes
        self.liked += bool(likes or dislikes)
        if row["notification"] and field(row, "email").strip():
            self.subscribed.append(str(row["id"]))

    def lines(self) -> list[str]:
        lines = []
        if self.liked:
            lines.append(
                ngettext(
                    "likes and dislikes on %(num)d comment (likes: %(likes)d, dislikes: "
                    "%(dislikes)d): commentsvc has no appreciations to carry them into",
                    "likes and dislikes on %(num)d comments (likes: %(likes)d, dislikes: "
                    "%(dislikes)d): commentsvc has no appreciations to carry them into",
                    self.liked,
                    likes=self.likes,
                    dislikes=self.dislikes,
                )
            )
        if self.subscribed:
            shown = ", ".join(self.subscribed[:SHOWN_IDS])
            more = len(self.subscribed) - SHOWN_IDS
            lines.append(
                ngettext(
                    "reply notifications asked for by the author of %(num)d comment "
                    "(%(ids)s): nobody was subscribed, because Isso keeps no record of consent "
                    "that could be carried over; readers can ask again here",
                    "reply notifications asked for by the authors of %(num)d comments "
                    "(%(ids)s): nobody was subscribed, because Isso keeps no record of consent "
                    "that could be carried over; readers can ask again here",
                    len(self.subscribed),
                    ids=shown + (f" … (+{more})" if more > 0 else ""),
                )
            )
        return lines


def import_database(
    path: str,
    *,
    base_url: str | None = None,
    hosts: tuple[str, ...] = (),
    now: datetime,
    progress: Progress | None = None,
    dry_run: bool = False,
    bar: ProgressBar | None = None,
) -> Summary:
    """Import every Isso thread that has comments; one transaction per article."""
    base = base_for(base_url)
    site = SiteHosts(hosts)
    connection = open_database(path)
    try:
        total = connection.execute("SELECT count(*) FROM comments").fetchone()[0]
        threads = connection.execute("SELECT count(*) FROM threads").fetchone()[0]
        if progress:
            progress(
                _(
                    "Read %(threads)s and %(posts)s. Importing…",
                    threads=ngettext("%(num)d thread", "%(num)d threads", threads),
                    posts=ngettext("%(num)d post", "%(num)d posts", total),
                )
            )
        store = ArticleStore(source_name(connection), now=now, progress=progress, dry_run=dry_run)
        if bar is not None:
            bar.start(total)
        left_behind = _LeftBehind()
        for _tid, group in itertools.groupby(comment_rows(connection), key=lambda row: row["tid"]):
            rows = list(group)
            _thread(rows, base, site, store, left_behind)
            if bar is not None:
                bar.advance(len(rows))
        store.summary.left_behind += left_behind.lines()
        return store.summary
    except sqlite3.DatabaseError as error:
        raise ImportRefused(
            _(
                "The database could not be read to the end (%(error)s). Every article "
                "imported before is complete; nothing of the one being read was written.",
                error=error,
            )
        ) from error
    finally:
        connection.close()


def _thread(
    rows: list, base: str | None, site: SiteHosts, store: ArticleStore, left_behind: _LeftBehind
) -> None:
    summary = store.summary
    article = _article(rows[0], base, site, summary)
    if isinstance(article, str):
        summary.skipped.append(
            (
                _("thread %(id)s", id=rows[0]["tid"]),
                ngettext(
                    "%(why)s; its %(num)d comment was not imported",
                    "%(why)s; its %(num)d comments were not imported",
                    len(rows),
                    why=article,
                ),
            )
        )
        return
    answered = {str(row["parent"]) for row in rows if row["parent"] is not None}
    for row in rows:
        comment = _comment(row, answered, summary)
        if comment is not None:
            article.comments.append(comment)
            left_behind.add(row)
    if article.comments:
        store.store(article)
