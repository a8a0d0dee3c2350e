"""Remark42 backup (its native export: JSON lines, usually gzipped) to articles and comments.

The first line is a meta record (``{"version": 1, "users": [...], "posts": [{"url",
"read_only"}]}``); each further line is one comment (``id``, ``pid``, ``text`` as HTML,
``user`` {``name``, ``id``, ``picture``, ``ip`` (an HMAC, not an address), ``admin``},
``locator`` {``site``, ``url``}, ``time`` (RFC 3339), ``delete``, ``pin``, ``score``,
``votes``, ``title``). Remark42 writes a post's comments together, so the file is streamed and
each post is stored as soon as the next one starts: memory stays flat. Users have no email
address in Remark42: their comments come without one and nobody is notified.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from flask_babel import ngettext

from commentsvc.models.threads import CommentStatus
from commentsvc.moving.core import (
    ImportRefused,
    Progress,
    SourceArticle,
    SourceComment,
    Summary,
    parse_date,
    plain,
)
from commentsvc.moving.deleted import keep_answered
from commentsvc.moving.jsonfiles import (
    MAX_LINE_CHARS,
    Advance,
    lines,
    loads,
    open_text,
    string,
)
from commentsvc.moving.pages import SiteHosts
from commentsvc.moving.store import ArticleStore
from commentsvc.sanitize import plain_line

VERSIONS = (0, 1)  # the versions Remark42's own importer accepts


def import_file(
    path: str,
    *,
    now: datetime,
    hosts: tuple[str, ...] = (),
    dry_run: bool = False,
    progress: Progress | None = None,
    advance: Advance | None = None,
) -> Summary:
    """Import every post's comments; one transaction per article."""
    reader = _Reader(SiteHosts(hosts), now=now, dry_run=dry_run, progress=progress)
    with open_text(path) as export:
        for number, line in lines(export.text):
            reader.line(number, line)
            if advance and number % 100 == 0:
                advance(export.done())
        reader.flush()
    if advance:
        advance(1.0)
    return reader.summary


class _Reader:
    """Reads the lines in order, holding one post's comments at a time."""

    def __init__(self, hosts: SiteHosts, *, now, dry_run, progress):
        self.hosts = hosts
        self.now, self.dry_run, self.progress = now, dry_run, progress
        self.meta_seen = False
        self.closed: set[str] = set()
        self.store: ArticleStore | None = None
        self.early = Summary()  # what was reported before the store existed
        self.url = ""
        self.comments: list[tuple[dict, SourceComment]] = []

    @property
    def summary(self) -> Summary:
        if self.store is None:
            return self.early
        return self.store.summary

    def line(self, number: int, text: str | None) -> None:
        what = _("line %(number)d", number=number)
        if text is None:
            self.summary.skipped.append(
                (what, _("longer than %(limit)d characters; not read", limit=MAX_LINE_CHARS))
            )
            return
        try:
            record = loads(text)
        except ValueError as error:
            if not self.meta_seen:
                raise ImportRefused(
                    _(
                        "The file is not a Remark42 backup: its first line is not JSON "
                        "(%(error)s). Nothing was imported.",
                        error=str(error)[:80],
                    )
                ) from error
            self.summary.skipped.append((what, _("not JSON (%(error)s)", error=str(error)[:80])))
            return
        if not isinstance(record, dict):
            self.summary.skipped.append((what, _("not a JSON object")))
        elif not self.meta_seen:
            self._meta(record)
        else:
            self._comment(what, record)

    def _meta(self, record: dict) -> None:
        version = record.get("version")
        if "id" in record or version not in VERSIONS:
            raise ImportRefused(
                _(
                    "The file is not a Remark42 backup of a version this import knows "
                    "(its first line should be the meta record with version 1). "
                    "Nothing was imported."
                )
            )
        self.meta_seen = True
        posts = record.get("posts")
        for post in posts if isinstance(posts, list) else []:
            if isinstance(post, dict) and post.get("read_only") is True:
                self.closed.add(str(post.get("url", "")))

    def _comment(self, what: str, record: dict) -> None:
        source_id = string(record.get("id"))
        if not source_id:
            self.summary.skipped.append((what, _("it has no comment id")))
            return
        locator = record.get("locator") if isinstance(record.get("locator"), dict) else {}
        url = string(locator.get("url"))
        if url != self.url:
            self.flush()
            self.url = url
        user = record.get("user") if isinstance(record.get("user"), dict) else {}
        created_at = parse_date(string(record.get("time")))
        comment = SourceComment(
            source_id=source_id,
            parent_source_id=string(record.get("pid")) or None,
            author=plain(string(user.get("name"))),
            # Remark42 keeps no address for its users; its "ip" is a keyed hash, not an address.
            email="",
            website="",
            ip="",
            created_at=created_at,
            text=string(record.get("text")),
            status=CommentStatus.APPROVED,
            date_note="" if created_at else _("no readable date; the article's date was used"),
        )
        self.comments.append((record, comment))

    def flush(self) -> None:
        """Store the post read so far (its comments are all in ``self.comments``)."""
        comments, self.comments = self.comments, []
        if not comments:
            return
        first = comments[0][0]
        locator = first.get("locator")
        site = string(locator.get("site")) if isinstance(locator, dict) else ""
        if self.store is None:
            self.store = ArticleStore(
                f"remark42 {site}".strip(),
                now=self.now,
                progress=self.progress,
                dry_run=self.dry_run,
            )
            self.store.summary.skipped.extend(self.early.skipped)
            self.store.summary.notes.extend(self.early.notes)
        summary = self.store.summary
        page = self.hosts.page(self.url)
        if isinstance(page, str):
            summary.skipped.append(
                (
                    _("page %(url)s", url=self.url[:200] or "?"),
                    ngettext(
                        "%(num)d comment not imported: %(why)s",
                        "%(num)d comments not imported: %(why)s",
                        len(comments),
                        why=page,
                    ),
                )
            )
            return
        article = SourceArticle(
            source_id=self.url,
            key=page.key,
            title=plain_line(
                plain(next(filter(None, (string(r.get("title")) for r, _c in comments)), ""))
            ),
            url=page.url,
            closed=self.url in self.closed,
            created_at=min((c.created_at for _r, c in comments if c.created_at), default=None),
        )
        deleted = {c.source_id for r, c in comments if r.get("delete") is True}
        for record, comment in comments:
            if record.get("pin") is True and comment.source_id not in deleted:
                summary.notes.append(
                    (
                        _("comment %(id)s", id=comment.source_id),
                        _("pinned in %(system)s; shown in its place here", system="Remark42"),
                    )
                )
        article.comments = keep_answered([c for _r, c in comments], deleted, "Remark42", summary)
        if article.comments:
            self.store.store(article)
