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
subscribed or mailed. The export is one JSON document with the commenters after the comments:
it is streamed (``jsonstream``), each comment put aside by page in a temporary SQLite file,
and the pages stored one by one once the commenters are known, so memory follows the largest
page, not the file.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
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
from commentsvc.moving.jsonstream import NotJson, Spill, top_level
from commentsvc.moving.pages import Page, SiteHosts
from commentsvc.moving.store import ArticleStore
from commentsvc.sanitize import plain_line

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
    summary = Summary()
    with open_text(path) as export, tempfile.TemporaryDirectory(prefix="commentsvc-") as tmp:
        spill = Spill(os.path.join(tmp, "comments.sqlite"))
        try:
            head = _read(export.text, spill, summary)
            if head.version not in (1, 3) or not head.comments:
                raise ImportRefused(
                    _(
                        "The file is not a Commento or Comentario export of a version this "
                        "import knows (1: Commento, 3: Comentario). Nothing was imported."
                    )
                )
            return _import(head, spill, summary, SiteHosts(hosts), now, dry_run, progress, advance)
        finally:
            spill.close()


@dataclass
class _Head:
    """What the document says besides its comments."""

    version: object = None
    comments: bool = False  # has a "comments" array (an empty one too)
    domain: str = ""
    people: dict = field(default_factory=dict)
    pages: dict = field(default_factory=dict)


def _read(stream, spill: Spill, summary: Summary) -> _Head:
    """Stream the document: comments put aside by page, the rest kept in ``_Head``."""
    head = _Head()
    try:
        for key, value, item in top_level(stream, ("comments", "commenters", "pages")):
            if key == "version" and not item:
                head.version = value
            elif key == "comments" and item:
                _put_aside(value, spill, head, summary)
            elif key == "comments":
                head.comments = isinstance(value, list)
            elif key == "commenters" and item and _is(value):
                _commenter(value, head.people)
            elif key == "pages" and item and _is(value) and string(value.get("id")):
                head.pages[string(value.get("id"))] = value
    except NotJson as error:
        raise ImportRefused(
            _(
                "The file is not a Commento or Comentario export: it is not JSON "
                "(%(error)s). Nothing was imported.",
                error=str(error)[:80],
            )
        ) from error
    return head


def _put_aside(record: object, spill: Spill, head: _Head, summary: Summary) -> None:
    source_id = string(record.get("commentHex") or record.get("id")) if _is(record) else ""
    if not source_id:
        what = _("comment %(id)s", id="?")
        summary.skipped.append((what, _("it has no comment id")))
        return
    if "pageId" in record:  # Comentario v3
        spill.add(f"page\n{string(record.get('pageId'))}", record)
        return
    host = string(record.get("domain") or record.get("host"))
    head.domain = head.domain or host
    spill.add(f"{host}\n{string(record.get('path') or record.get('url'))}", record)


def _import(head, spill, summary, hosts, now, dry_run, progress, advance) -> Summary:
    version1 = head.version == 1
    system = "Commento" if version1 else "Comentario"
    source = f"commento {head.domain}".strip() if version1 else "comentario"
    pages, comments = spill.count()
    if progress:
        progress(
            _(
                "Read %(threads)s and %(posts)s. Importing…",
                threads=ngettext("%(num)d thread", "%(num)d threads", pages),
                posts=ngettext("%(num)d post", "%(num)d posts", comments),
            )
        )
    store = ArticleStore(source, now=now, progress=progress, dry_run=dry_run)
    store.summary.skipped.extend(summary.skipped)
    store.summary.notes.extend(summary.notes)
    for done, (group, records) in enumerate(spill.groups(), start=1):
        where, _sep, address = group.partition("\n")
        if version1:
            found = hosts.page(address) if "://" in address else hosts.page_on(where, address)
            page = found if isinstance(found, str) else _article(found)
        else:
            page = _page3(head.pages.get(address))
        if isinstance(page, str):
            store.summary.skipped.append(
                (
                    _("page %(url)s", url=address[:200] or "?"),
                    ngettext(
                        "%(num)d comment not imported: %(why)s",
                        "%(num)d comments not imported: %(why)s",
                        len(records),
                        why=page,
                    ),
                )
            )
            continue
        article = page
        convert = _version1 if version1 else _version3
        deleted = convert(records, head.people, article, store.summary)
        article.comments = keep_answered(article.comments, deleted, system, store.summary)
        if article.comments:
            store.store(article)
        if advance:
            advance(done / pages)
    return store.summary


def _is(value: object) -> bool:
    return isinstance(value, dict)


def _commenter(record: dict, people: dict[str, dict]) -> None:
    """Keep a commenter by id: name, address, website."""
    key = string(record.get("commenterHex") or record.get("id"))
    if key:
        people[key] = {
            "name": plain(string(record.get("name"))),
            "email": string(record.get("email")),
            "website": string(record.get("link") or record.get("websiteUrl")),
        }


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


def _version1(records: list, people: dict, article: SourceArticle, summary: Summary) -> set:
    """One page's comments in Commento's shape into ``article``; the ids deleted at the source."""
    deleted: set[str] = set()
    for record in records:
        source_id = string(record.get("commentHex"))
        what = _("comment %(id)s", id=source_id)
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
        article.comments.append(comment)
    return deleted


def _article(page: Page) -> SourceArticle:
    return SourceArticle(
        source_id=page.key, key=page.key, title="", url=page.url, closed=False, created_at=None
    )


def _page3(record: dict | None) -> SourceArticle | str:
    """A Comentario page as an article, or why its comments have none."""
    if record is None:
        return _("its page is not in the file")
    path = "/" + string(record.get("path")).lstrip("/")
    return SourceArticle(
        source_id=string(record.get("id")),
        key=path,
        title=plain_line(plain(string(record.get("title")))),
        url="",  # the export does not name the host
        closed=record.get("isReadonly") is True,
        created_at=parse_date(string(record.get("createdTime"))),
    )


def _version3(records: list, people: dict, article: SourceArticle, summary: Summary) -> set:
    """One page's comments in Comentario's shape into ``article``; the ids deleted there."""
    deleted: set[str] = set()
    for record in records:
        source_id = string(record.get("id"))
        what = _("comment %(id)s", id=source_id)
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
    return deleted


def _parent(value: str) -> str | None:
    return None if value in ("", "root", "00000000-0000-0000-0000-000000000000") else value
