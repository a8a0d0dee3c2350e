"""Commento's and Comentario's JSON exports (gzipped as they are mailed or downloaded, or not) to
articles and comments.

Two shapes, told apart by ``version``:

- 1: Commento's export (adtac/commento ``api/domain_export.go``) and Comentario's first one:
  ``comments`` [{``commentHex``, ``domain``, ``url`` (Commento's name for the path) or ``path``,
  ``commenterHex``, ``markdown``, ``html``, ``parentHex`` ("root" at the top), ``state``
  ("approved", "unapproved", "flagged"), ``creationDate``, ``deleted``}] and ``commenters``
  [{``commenterHex``, ``email``, ``name``, ``link``/``websiteUrl``, ``isModerator``}];
  the commenter "anonymous" (or 64 zeros) has no record.
- 3: Comentario's export since v3 (``internal/svc/impex_comentario.go``): ``pages`` [{``id``,
  ``path``, ``title``, ``isReadonly``}], ``comments`` [{``id``, ``parentId``, ``pageId``,
  ``markdown``, ``html``, ``isApproved``, ``isPending``, ``isDeleted``, ``isSticky``,
  ``createdTime``, ``userCreated``, ``authorName``}] and ``commenters`` [{``id``, ``email``,
  ``name``, ``websiteUrl``}]; the anonymous user is the zero UUID.

Commenters' addresses become the comments' addresses (never shown, as always); nobody is
subscribed or mailed. The export is one JSON document with the commenters after the comments,
so it is read whole (Commento and Comentario read it whole too): memory grows with the file.
"""

from __future__ import annotations

import json
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
from commentsvc.moving.jsonfiles import Advance, open_text, string
from commentsvc.moving.pages import Page, SiteHosts
from commentsvc.moving.store import ArticleStore

ANONYMOUS = {"anonymous", "0" * 64, "00000000-0000-0000-0000-000000000000", ""}
STATES = {
    "approved": CommentStatus.APPROVED,
    "unapproved": CommentStatus.PENDING,
    # Commento marks what Akismet calls spam as "flagged".
    "flagged": CommentStatus.SPAM,
}
DELETED_MARK = "[deleted]"  # what Commento writes over a deleted comment's text


def import_file(
    path: str,
    *,
    now: datetime,
    hosts: tuple[str, ...] = (),
    dry_run: bool = False,
    progress: Progress | None = None,
    advance: Advance | None = None,
) -> Summary:
    """Import every page's comments; one transaction per article."""
    with open_text(path) as export:
        try:
            document = json.load(export.text)
        except (ValueError, RecursionError) as error:
            raise ImportRefused(
                _(
                    "The file is not a Commento or Comentario export: it is not JSON "
                    "(%(error)s). Nothing was imported.",
                    error=str(error)[:80],
                )
            ) from error
    version = document.get("version") if isinstance(document, dict) else None
    if version not in (1, 3) or not isinstance(document.get("comments"), list):
        raise ImportRefused(
            _(
                "The file is not a Commento or Comentario export of a version this import "
                "knows (1: Commento, 3: Comentario). Nothing was imported."
            )
        )
    summary = Summary()
    hosts_known = SiteHosts(hosts)
    people = _commenters(document.get("commenters"), summary)
    if version == 1:
        system = "Commento"
        articles, deleted = _version1(document["comments"], people, hosts_known, summary)
        domain = next(
            (string(c.get("domain") or c.get("host")) for c in document["comments"] if _is(c)),
            "",
        )
        source = f"commento {domain}".strip()
    else:
        system = "Comentario"
        articles, deleted = _version3(document, people, summary)
        source = "comentario"
    if progress:
        progress(
            _(
                "Read %(threads)s and %(posts)s. Importing…",
                threads=ngettext("%(num)d thread", "%(num)d threads", len(articles)),
                posts=ngettext(
                    "%(num)d post",
                    "%(num)d posts",
                    sum(len(a.comments) for a in articles.values()),
                ),
            )
        )
    store = ArticleStore(source, now=now, progress=progress, dry_run=dry_run)
    store.summary.skipped.extend(summary.skipped)
    store.summary.notes.extend(summary.notes)
    for done, article in enumerate(articles.values(), start=1):
        article.comments = keep_answered(article.comments, deleted, system, store.summary)
        if article.comments:
            store.store(article)
        if advance:
            advance(done / len(articles))
    return store.summary


def _is(value: object) -> bool:
    return isinstance(value, dict)


def _commenters(records: object, summary: Summary) -> dict[str, dict]:
    """Each commenter by id: name, address, website."""
    people = {}
    for record in records if isinstance(records, list) else []:
        if not _is(record):
            continue
        key = string(record.get("commenterHex") or record.get("id"))
        if key:
            people[key] = {
                "name": plain(string(record.get("name"))),
                "email": string(record.get("email")),
                "website": string(record.get("link") or record.get("websiteUrl")),
            }
    return people


def _author(key: str, people: dict, what: str, summary: Summary) -> dict:
    if key in ANONYMOUS:
        return {}
    person = people.get(key)
    if person is None:
        summary.notes.append((what, _("its commenter is not in the file; shown as anonymous")))
        return {}
    return person


def _comment(
    record: dict,
    source_id: str,
    parent: str | None,
    person: dict,
    status: CommentStatus,
    created: object,
    name: str = "",
) -> SourceComment:
    created_at = parse_date(string(created))
    html = string(record.get("html"))
    return SourceComment(
        source_id=source_id,
        parent_source_id=parent,
        author=person.get("name") or plain(name),
        email=person.get("email", ""),
        website=person.get("website", ""),
        ip="",  # neither export holds one
        created_at=created_at,
        # The published HTML when the export has it; Commento's holds only the Markdown typed.
        text=html if html and html != DELETED_MARK else string(record.get("markdown")),
        status=status,
        date_note="" if created_at else _("no readable date; the article's date was used"),
    )


def _version1(comments: list, people: dict, hosts: SiteHosts, summary: Summary):
    articles: dict[str, SourceArticle] = {}
    deleted: set[str] = set()
    for record in comments:
        source_id = string(record.get("commentHex")) if _is(record) else ""
        what = _("comment %(id)s", id=source_id or "?")
        if not source_id:
            summary.skipped.append((what, _("it has no comment id")))
            continue
        address = string(record.get("path") or record.get("url"))
        host = string(record.get("domain") or record.get("host"))
        page = hosts.page(address) if "://" in address else hosts.page_on(host, address)
        if isinstance(page, str):
            summary.skipped.append((what, page))
            continue
        state = string(record.get("state"))
        status = STATES.get(state)
        comment = _comment(
            record,
            source_id,
            _parent(string(record.get("parentHex"))),
            _author(string(record.get("commenterHex")), people, what, summary),
            status or CommentStatus.PENDING,
            record.get("creationDate"),
        )
        if status is None:
            unknown = _("unknown state %(state)r; kept as pending", state=state)
            comment.date_note = "; ".join(n for n in (unknown, comment.date_note) if n)
        if record.get("deleted") is True or string(record.get("markdown")) == DELETED_MARK:
            deleted.add(source_id)
        _article_for(articles, page, page.key).comments.append(comment)
    return articles, deleted


def _version3(document: dict, people: dict, summary: Summary):
    pages: dict[str, SourceArticle] = {}
    for record in document.get("pages") if isinstance(document.get("pages"), list) else []:
        if _is(record) and string(record.get("id")):
            page = Page(key="/" + string(record.get("path")).lstrip("/"), url="")
            article = _article_for(pages, page, string(record.get("id")))
            article.title = plain(string(record.get("title")))
            article.closed = record.get("isReadonly") is True
            article.created_at = parse_date(string(record.get("createdTime")))
    deleted: set[str] = set()
    for record in document["comments"]:
        source_id = string(record.get("id")) if _is(record) else ""
        what = _("comment %(id)s", id=source_id or "?")
        if not source_id:
            summary.skipped.append((what, _("it has no comment id")))
            continue
        article = pages.get(string(record.get("pageId")))
        if article is None:
            summary.skipped.append((what, _("its page is not in the file")))
            continue
        if record.get("isApproved") is True:
            status = CommentStatus.APPROVED
        elif record.get("isPending") is True:
            status = CommentStatus.PENDING
        else:  # neither: rejected by a moderator, kept in the trash for ours
            status = CommentStatus.TRASH
        comment = _comment(
            record,
            source_id,
            _parent(string(record.get("parentId"))),
            _author(string(record.get("userCreated")), people, what, summary),
            status,
            record.get("createdTime"),
            name=string(record.get("authorName")),
        )
        if record.get("isDeleted") is True:
            deleted.add(source_id)
        elif record.get("isSticky") is True:
            summary.notes.append(
                (what, _("pinned in %(system)s; shown in its place here", system="Comentario"))
            )
        article.comments.append(comment)
    return pages, deleted


def _parent(value: str) -> str | None:
    return None if value in ("", "root", "00000000-0000-0000-0000-000000000000") else value


def _article_for(articles: dict, page: Page, source_id: str) -> SourceArticle:
    article = articles.get(source_id)
    if article is None:
        article = articles[source_id] = SourceArticle(
            source_id=source_id, key=page.key, title="", url=page.url, closed=False, created_at=None
        )
    return article
