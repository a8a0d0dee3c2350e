"""WordPress export (WXR: RSS with the ``wp:`` namespace) to articles and comments.

The file is read twice, both times as a stream (never a whole-file tree): first to check that
it is a complete, well-formed WordPress export without a DTD, so a broken or hostile file is
refused before anything is written; then to import, one post at a time. defusedxml refuses any
DOCTYPE (and so entity declarations and external DTDs); the tree builder keeps only the first
few thousand characters of each element's text, so memory stays flat whatever one field holds.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import BinaryIO
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

import defusedxml
from defusedxml.ElementTree import DefusedXMLParser
from flask_babel import gettext as _
from flask_babel import ngettext

from commentsvc.forms.comment import COMMENT_MAX
from commentsvc.models.threads import CommentStatus
from commentsvc.moving.core import (
    ImportRefused,
    LongText,
    Progress,
    ProgressBar,
    SourceArticle,
    SourceComment,
    Summary,
    parse_date,
    plain,
)
from commentsvc.moving.store import ArticleStore, date_with_fallback
from commentsvc.moving.wxr import STAFF_META

KEY_CHOICES = ("slug", "id", "path")
APPROVAL = {
    "1": CommentStatus.APPROVED,
    "approve": CommentStatus.APPROVED,
    "0": CommentStatus.PENDING,
    "hold": CommentStatus.PENDING,
    "spam": CommentStatus.SPAM,
    "trash": CommentStatus.TRASH,
    "post-trashed": CommentStatus.TRASH,
}
PINGS = ("pingback", "trackback")
READ_BYTES = 64 * 1024
KEPT_CHARACTERS = COMMENT_MAX + 1  # the longest field the form takes, and one to know it was cut
HIDDEN_POSTS = ("draft", "pending", "private", "trash", "auto-draft")


def _local(tag: str) -> tuple[str, str]:
    """(namespace, local name) of an ElementTree tag."""
    if tag.startswith("{"):
        namespace, _, name = tag[1:].partition("}")
        return namespace, name
    return "", tag


def _is_wp(namespace: str) -> bool:
    # 1.0, 1.1 and 1.2, over http or https (the theme test data uses https).
    return "wordpress.org/export/" in namespace


class _CappedTreeBuilder:
    """ElementTree's tree builder, keeping at most ``KEPT_CHARACTERS`` of each element's
    text, so a 50 MB comment costs its first few thousand characters and not its size in
    memory (expat hands text over in pieces; only the pieces kept are joined). The real
    length stays on the text (LongText) for the import summary."""

    def __init__(self, events: tuple[str, ...], found: list):
        self._builder = TreeBuilder()
        self._starts = "start" in events
        self._found = found
        self._seen: list[int] = []  # characters of text seen in each open element

    def start(self, tag, attrs):
        element = self._builder.start(tag, attrs)
        self._seen.append(0)
        if self._starts:
            self._found.append(("start", element))
        return element

    def data(self, text):
        seen = self._seen[-1] if self._seen else 0
        if seen < KEPT_CHARACTERS:
            self._builder.data(text[: KEPT_CHARACTERS - seen])
        if self._seen:
            self._seen[-1] = seen + len(text)

    def end(self, tag):
        element = self._builder.end(tag)
        seen = self._seen.pop()
        if seen > KEPT_CHARACTERS and element.text and len(element) == 0:
            element.text = LongText(element.text)
            element.text.length = seen
        self._found.append(("end", element))
        return element

    def close(self):
        return self._builder.close()


def _events(path: str, events: tuple[str, ...]) -> Iterator[tuple[str, Element]]:
    """Stream the file's elements, turning every parse problem into a clear refusal."""
    try:
        with open(path, "rb") as stream:
            yield from _guarded(stream, events)
    except OSError as error:
        raise ImportRefused(_("The file cannot be read: %(error)s", error=error)) from error


def _guarded(stream: BinaryIO, events: tuple[str, ...]) -> Iterator[tuple[str, Element]]:
    found: list[tuple[str, Element]] = []
    # No DTD at all (a WordPress export has none): an external one could be fetched by other
    # tools that read the file, and defusedxml refuses entity declarations inside one.
    parser = DefusedXMLParser(target=_CappedTreeBuilder(events, found), forbid_dtd=True)
    try:
        while chunk := stream.read(READ_BYTES):
            parser.feed(chunk)
            yield from found
            found.clear()
        parser.close()
        yield from found
    except defusedxml.DTDForbidden as error:
        raise ImportRefused(
            _(
                "The file has a DOCTYPE declaration (a DTD). Such files are refused because "
                "a DTD can make XML readers fetch other files or expand without limit; a real "
                "WordPress export has none. Nothing was imported."
            )
        ) from error
    except defusedxml.DefusedXmlException as error:
        raise ImportRefused(
            _(
                "The file declares XML entities or refers to outside files (%(what)s). "
                "Such files are refused because they can expand without limit or read other "
                "files; a real WordPress export has none. Nothing was imported.",
                what=type(error).__name__,
            )
        ) from error
    except ParseError as error:
        line, column = getattr(error, "position", (0, 0))
        raise ImportRefused(
            _(
                "The file is not well-formed XML (line %(line)d, column %(column)d: "
                "%(error)s). Is it complete, and is it a WordPress export? Nothing was imported.",
                line=line,
                column=column,
                error=str(error).split(":")[0],
            )
        ) from error


def check(path: str) -> tuple[str, int, int]:
    """Read the whole file once: its site address, articles and comments; or ImportRefused."""
    site = ""
    items = comments = 0
    seen_wp = False
    for _event, element in _events(path, ("end",)):
        namespace, name = _local(element.tag)
        if _is_wp(namespace):
            seen_wp = True
            if name == "base_site_url" and not site:
                site = (element.text or "").strip()
            elif name == "comment":
                comments += 1
        elif not namespace and name == "link" and not site and items == 0:
            site = (element.text or "").strip()
        elif not namespace and name == "item":
            items += 1
            element.clear()
    if not seen_wp:
        raise ImportRefused(
            _(
                "The file is XML but not a WordPress export (no wp: elements). "
                "In WordPress, use Tools → Export. Nothing was imported."
            )
        )
    return site, items, comments


def import_file(
    path: str,
    *,
    key: str = "slug",
    keep_pings: bool = False,
    now: datetime,
    progress: Progress | None = None,
    dry_run: bool = False,
    bar: ProgressBar | None = None,
) -> Summary:
    """Import every post or page that has comments; one transaction per article."""
    if key not in KEY_CHOICES:
        raise ImportRefused(_("The key must be one of: slug, id, path."))
    site, items, comments = check(path)
    if progress:
        progress(
            _(
                "The file is a complete WordPress export: %(items)s, %(comments)s. Importing…",
                items=ngettext("%(num)d item", "%(num)d items", items),
                comments=ngettext("%(num)d comment", "%(num)d comments", comments),
            )
        )
    store = ArticleStore(f"wordpress {site}".strip(), now=now, progress=progress, dry_run=dry_run)
    if bar is not None:
        bar.start(comments)
    channel: Element | None = None
    for event, element in _events(path, ("start", "end")):
        namespace, name = _local(element.tag)
        if event == "start":
            if not namespace and name == "channel":
                channel = element
            continue
        if namespace or name != "item":
            continue
        article = _article(element, key=key, keep_pings=keep_pings, summary=store.summary)
        if article is not None and article.comments:
            store.store(article)
        if bar is not None:
            bar.advance(sum(1 for child in element if _is_wp_comment(child)))
        if channel is not None:
            channel.remove(element)  # keeps memory flat on big exports
    return store.summary


def _fields(element: Element) -> dict[str, str]:
    """The text of an element's direct children by local name (wp: and plain RSS alike)."""
    return {_local(child.tag)[1]: child.text or "" for child in element if len(child) == 0}


def _article(item: Element, *, key: str, keep_pings: bool, summary: Summary):
    fields = _fields(item)
    post_id = fields.get("post_id", "").strip()
    comment_elements = [c for c in item if _is_wp_comment(c)]
    if not comment_elements:
        return None
    what = _("post %(id)s", id=post_id or "?")
    status = fields.get("status", "").strip()
    if status in HIDDEN_POSTS:
        # Readers never saw these posts, so their comments must not become public threads.
        summary.skipped.append(
            (
                what,
                ngettext(
                    "the post is not public (%(status)s); its %(num)d comment was not imported",
                    "the post is not public (%(status)s); its %(num)d comments were not imported",
                    len(comment_elements),
                    status=status,
                ),
            )
        )
        return None
    if fields.get("post_password", "").strip():
        summary.notes.append(
            (what, _("the post is password-protected in WordPress; its comments are public here"))
        )
    created_at = parse_date(fields.get("post_date_gmt")) or parse_date(fields.get("post_date"))
    article_key, fallback = _key(fields, key, post_id)
    if fallback:
        summary.notes.append((what, fallback))
    article = SourceArticle(
        source_id=post_id,
        key=article_key,
        title=plain(fields.get("title")),
        url=(fields.get("link") or "").strip(),
        closed=fields.get("comment_status", "").strip() == "closed",
        created_at=created_at,
    )
    for element in comment_elements:
        comment = _comment(element, keep_pings=keep_pings, summary=summary)
        if comment is not None:
            article.comments.append(comment)
    return article


def _is_wp_comment(element: Element) -> bool:
    namespace, name = _local(element.tag)
    return name == "comment" and _is_wp(namespace)


def _link_path(fields: dict[str, str]) -> str:
    try:
        parts = urlsplit((fields.get("link") or "").strip())
    except ValueError:  # "http://[broken": no path to take; reported as an invalid key
        return ""
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _key(fields: dict[str, str], key: str, post_id: str) -> tuple[str, str]:
    """The article's key and, when the slug was missing, which fallback gave it instead.

    Drafts and pages exported with ``?p=4`` links have no ``wp:post_name``: their comments
    still get a thread, under the post id or else the link's path.
    """
    if key == "id":
        return post_id, ""
    if key == "path":
        return _link_path(fields), ""
    slug = fields.get("post_name", "").strip()
    if slug:
        return slug, ""
    if post_id:
        return post_id, _(
            "it has no slug (wp:post_name); its key is the post id %(key)s", key=post_id
        )
    path = _link_path(fields)
    return path, _(
        "it has no slug (wp:post_name) nor post id; its key is the link's path %(key)s", key=path
    )


def _is_staff(comment: Element) -> bool:
    """Marked as the site's own reply by our export (commentmeta ``commentsvc_staff`` 1)."""
    for child in comment:
        if _local(child.tag)[1] == "commentmeta":
            meta = _fields(child)
            if meta.get("meta_key", "").strip() == STAFF_META:
                return meta.get("meta_value", "").strip() == "1"
    return False


def _comment(element: Element, *, keep_pings: bool, summary: Summary) -> SourceComment | None:
    fields = _fields(element)
    source_id = fields.get("comment_id", "").strip()
    what = _("comment %(id)s", id=source_id or "?")
    if not source_id:
        summary.skipped.append((what, _("it has no comment id")))
        return None
    kind = fields.get("comment_type", "").strip()
    if kind in PINGS and not keep_pings:
        summary.skipped.append((what, _("a %(kind)s (use --keep-pings to keep them)", kind=kind)))
        return None
    if kind not in ("", "comment", *PINGS):
        summary.skipped.append(
            (what, _("comment type %(kind)r is not a reader comment", kind=kind))
        )
        return None
    approved = fields.get("comment_approved", "").strip()
    status = APPROVAL.get(approved)
    date_note = ""
    if status is None:
        status = CommentStatus.PENDING
        date_note = _("unknown approval state %(state)r; kept as pending", state=approved)
    created_at, note = date_with_fallback(
        fields.get("comment_date_gmt"),
        fields.get("comment_date"),
        lambda: _("no readable date; the article's date was used"),
    )
    parent = fields.get("comment_parent", "").strip()
    return SourceComment(
        by_staff=_is_staff(element),
        source_id=source_id,
        parent_source_id=parent if parent not in ("", "0") else None,
        author=plain(fields.get("comment_author")),
        email=(fields.get("comment_author_email") or "").strip(),
        website=(fields.get("comment_author_url") or "").strip(),
        ip=(fields.get("comment_author_IP") or "").strip(),
        created_at=created_at,
        text=fields.get("comment_content") or "",
        status=status,
        date_note="; ".join(n for n in (date_note, note) if n),
    )
