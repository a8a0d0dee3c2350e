"""Storing one source article and its comments in their place in the thread: ids mapped, so a
second run adds nothing; one commit per article."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from commentsvc.extensions import db
from commentsvc.forms.comment import ARTICLE_KEY, AUTHOR_MAX, COMMENT_MAX, EMAIL_MAX, URL_MAX
from commentsvc.models.threads import (
    ARTICLE_TITLE_MAX,
    ARTICLE_URL_MAX,
    Article,
    Comment,
    ImportMapping,
)
from commentsvc.moving.core import (
    Progress,
    SourceArticle,
    SourceComment,
    Summary,
    capped,
    parse_date,
    web_address,
)
from commentsvc.sanitize import clean_html
from commentsvc.sites import DEFAULT_SITE, current_site_id
from commentsvc.threads.rows import ANONYMOUS_AUTHOR, new_comment


def mapping_source(source: str, site: str) -> str:
    """The key of a source's mappings on ``site``: the same file imported into two sites is
    two sources (two copies); the default site keeps the bare source, so what an installation
    imported before it had sites is still known and not imported again."""
    return (source if site == DEFAULT_SITE else f"site {site}: {source}")[:300]


class ArticleStore:
    """Stores articles of one source on one site (default: the command's), each in its own
    transaction."""

    def __init__(
        self,
        source: str,
        *,
        now: datetime,
        progress: Progress | None = None,
        dry_run: bool = False,
        site: str | None = None,
    ):
        self.site = site or current_site_id()
        self.source = mapping_source(source, self.site)
        self.now = now
        # A dry run stores each article as a real run would and rolls it back, so what it
        # reports (new, already imported, skipped, cut) is what a real run would do.
        self.dry_run = dry_run
        self.summary = Summary(dry_run=dry_run)
        self.progress = progress
        self._seen_comment_ids: set[str] = set()
        self._every = 500

    def store(self, article: SourceArticle) -> None:
        """One article and its comments, all or nothing (nothing at all on a dry run)."""
        try:
            self._store(article)
            if self.dry_run:
                db.session.rollback()
            else:
                db.session.commit()
        except Exception:
            db.session.rollback()
            raise

    def _store(self, source: SourceArticle) -> None:
        if not ARTICLE_KEY.fullmatch(source.key or ""):
            self.summary.skipped.append(
                (
                    _("article %(id)s", id=source.source_id),
                    _("its key %(key)r is not a valid article key", key=source.key),
                )
            )
            return
        article = self._article_for(source)
        by_id: dict[str, SourceComment] = {}
        for comment in source.comments:
            what = _("comment %(id)s", id=comment.source_id)
            if comment.source_id in self._seen_comment_ids or comment.source_id in by_id:
                self.summary.skipped.append((what, _("the same comment id appears twice")))
                continue
            by_id[comment.source_id] = comment
        self._seen_comment_ids.update(by_id)
        mapped = self._mapped("comment", list(by_id))
        new = {sid: c for sid, c in by_id.items() if sid not in mapped}
        self.summary.already_imported += len(by_id) - len(new)
        parents = self._parents(new, mapped, article)
        children: dict[str, list[str]] = {}
        for sid, parent in parents.items():
            if isinstance(parent, str):
                children.setdefault(parent, []).append(sid)
        # Level by level from the top: each level is one batched INSERT, and every reply
        # finds its parent's id already there (few round trips, even on PostgreSQL).
        stored: dict[str, Comment] = {}
        level = [sid for sid in new if not isinstance(parents[sid], str)]
        while level:
            rows = []
            for sid in level:
                parent = parents[sid]
                rows.append(
                    self._comment(
                        article, new[sid], stored[parent] if isinstance(parent, str) else parent
                    )
                )
            db.session.add_all(rows)
            db.session.flush()
            for sid, row in zip(level, rows, strict=True):
                stored[sid] = row
                self._map("comment", sid, row.id)
            self._count(rows)
            level = [child for sid in level for child in children.get(sid, [])]

    def _parents(
        self, new: dict[str, SourceComment], mapped: dict[str, int], article: Article
    ) -> dict[str, str | Comment | None]:
        """Each new comment's parent: a new comment's source id, a stored row, or None.

        A parent that is neither in this article nor imported earlier puts the reply at
        the top level (reported), and so does a loop of replies.
        """
        parents: dict[str, str | Comment | None] = {}
        for sid, comment in new.items():
            wanted = comment.parent_source_id
            if not wanted:
                parents[sid] = None
            elif wanted in new:
                parents[sid] = wanted
            else:
                row = (
                    db.session.get(Comment, mapped[wanted])
                    if wanted in mapped
                    else self._earlier(wanted, article)
                )
                parents[sid] = row
                if row is None:
                    self.summary.notes.append(
                        (
                            _("comment %(id)s", id=sid),
                            _(
                                "the comment it answers (%(parent)s) is not in the file "
                                "or was skipped; shown at the top level",
                                parent=wanted,
                            ),
                        )
                    )
        for sid in new:
            path: list[str] = []
            current: str | None = sid
            while isinstance(current, str) and current not in path:
                path.append(current)
                parent = parents[current]
                current = parent if isinstance(parent, str) else None
            if current is not None:  # came back to a comment on the path: a loop
                parents[current] = None
                self.summary.notes.append(
                    (
                        _("comment %(id)s", id=current),
                        _("its replies form a loop; shown at the top level"),
                    )
                )
        return parents

    def _article_for(self, source: SourceArticle) -> Article:
        mapped = self._mapped("article", [source.source_id])
        article = db.session.get(Article, mapped[source.source_id]) if mapped else None
        if article is None:
            # The host site may have opened the thread already: its comments join it.
            article = db.session.execute(
                select(Article).where(Article.site_id == self.site, Article.key == source.key)
            ).scalar_one_or_none()
        if article is not None:
            self.summary.articles_existing += 1
        else:
            what = _("article %(id)s", id=source.source_id)
            notes = self.summary.notes
            article = Article(
                site_id=self.site,
                key=source.key,
                title=capped(
                    source.title or source.key, ARTICLE_TITLE_MAX, what, _("title"), notes
                ),
                url=web_address(source.url, ARTICLE_URL_MAX, what, _("address"), notes),
                closed=source.closed,
                created_at=source.created_at or self.now,
            )
            db.session.add(article)
            db.session.flush()
            self.summary.articles_created += 1
        if not mapped:
            self._map("article", source.source_id, article.id)
        return article

    def _earlier(self, parent_source_id: str, article: Article) -> Comment | None:
        """A parent imported by an earlier run, when it belongs to the same article."""
        mapped = self._mapped("comment", [parent_source_id])
        if not mapped:
            return None
        parent = db.session.get(Comment, mapped[parent_source_id])
        return parent if parent is not None and parent.article_id == article.id else None

    def _comment(self, article: Article, source: SourceComment, parent: Comment | None) -> Comment:
        """The row for one source comment under ``parent`` (not yet flushed)."""
        created_at = source.created_at or article.created_at
        if source.removed:
            source = replace(source, text="", author=ANONYMOUS_AUTHOR, email="", website="", ip="")
        # The form's limits, so that no imported field is bigger than a reader could send;
        # the text is cut before it is sanitized (bleach's time and memory grow with it).
        what, notes = _("comment %(id)s", id=source.source_id), self.summary.notes
        text = capped(source.text, COMMENT_MAX, what, _("text"), notes)
        author = capped(source.author, AUTHOR_MAX, what, _("name"), notes)
        email = source.email
        if len(email) > EMAIL_MAX:
            notes.append((what, _("the email address was longer than the form allows; dropped")))
            email = ""
        html = clean_html(text, imported=True)
        comment = new_comment(
            article,
            parent,
            text=text,
            html=html,
            author=author,
            email=email,
            website=web_address(source.website, URL_MAX, what, _("website"), notes),
            ip=source.ip,
            status=source.status,
            by_staff=source.by_staff,
            # When the old site's moderator decided is not in the export: left empty, so
            # retention counts from the comment's own date.
            created_at=created_at,
        )
        comment.edited_at = source.edited_at
        if source.date_note:
            self.summary.notes.append((_("comment %(id)s", id=source.source_id), source.date_note))
        return comment

    def _count(self, rows: list[Comment]) -> None:
        before = self.summary.stored
        for row in rows:
            self.summary.comments[row.status] += 1
        if self.progress and before // self._every != self.summary.stored // self._every:
            self.progress(
                ngettext(
                    "%(num)d comment imported…", "%(num)d comments imported…", self.summary.stored
                )
            )

    def _mapped(self, kind: str, source_ids: list[str]) -> dict[str, int]:
        if not source_ids:
            return {}
        rows = db.session.execute(
            select(ImportMapping.source_id, ImportMapping.target_id).where(
                ImportMapping.source == self.source,
                ImportMapping.kind == kind,
                ImportMapping.source_id.in_(source_ids),
            )
        )
        return {source_id: target_id for source_id, target_id in rows}

    def _map(self, kind: str, source_id: str, target_id: int) -> None:
        db.session.add(
            ImportMapping(
                source=self.source,
                kind=kind,
                source_id=source_id[:200],
                target_id=target_id,
                imported_at=self.now,
            )
        )


def date_with_fallback(
    exact: str | None, local: str | None, fallback_note: Callable[[], str]
) -> tuple[datetime | None, str]:
    """The GMT date; else the local one read as UTC; else None (the article's date), noted."""
    moment = parse_date(exact)
    if moment is not None:
        return moment, ""
    moment = parse_date(local)
    if moment is not None:
        return moment, _("no readable GMT date; the local date was taken as UTC")
    return None, fallback_note()
