"""Disqus export (``<disqus>`` with ``<thread>`` and ``<post>`` elements) to articles and comments.

Disqus exports are often slightly broken (Remark42's samples have a stray character before
the XML declaration and an unquoted attribute). So this reader is tolerant in one defined
way: it streams the file, cuts it into its top-level elements (category, thread, post), and
parses each one on its own with defusedxml. An element that is not well-formed is reported
with its line and skipped; every other post is imported. A DTD or entity declaration anywhere
refuses the whole file (a real export has none), and nothing is written until the whole file
has been read, because a post may come long after its thread.
"""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element, ParseError

import defusedxml
from defusedxml.ElementTree import fromstring
from flask_babel import gettext as _
from flask_babel import ngettext

from commentsvc.models.threads import CommentStatus
from commentsvc.moving.core import (
    ImportRefused,
    Progress,
    ProgressBar,
    SourceArticle,
    SourceComment,
    Summary,
    parse_date,
    plain,
)
from commentsvc.moving.pieces import MAX_PIECE_CHARS, Piece, PieceReader, dtd_refusal
from commentsvc.moving.store import ArticleStore

KEY_CHOICES = ("path", "identifier", "link")
DSQ_ID = "{http://disqus.com/disqus-internals}id"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(element: Element, name: str) -> Element | None:
    for child in element:
        if _local(child.tag) == name:
            return child
    return None


def _text(element: Element | None, *path: str) -> str:
    for name in path:
        if element is None:
            return ""
        element = _child(element, name)
    return (element.text or "") if element is not None else ""


def _flag(value: str) -> bool | None:
    value = value.strip().lower()
    if value in ("true", "1"):
        return True
    if value in ("false", "0", ""):
        return False
    return None


def _key(thread: Element, key: str) -> str:
    link = _text(thread, "link").strip()
    identifier = _text(thread, "id").strip()
    if key == "link":
        return link
    if key == "identifier" and identifier:
        return identifier
    try:
        parts = urlsplit(link)
    except ValueError:  # "http://[broken": no path to take; reported as an invalid key
        return ""
    return parts.path + (f"?{parts.query}" if parts.query else "")


def import_file(
    path: str,
    *,
    key: str = "path",
    now: datetime,
    progress: Progress | None = None,
    dry_run: bool = False,
    bar: ProgressBar | None = None,
) -> Summary:
    """Import every thread that has posts; one transaction per article."""
    if key not in KEY_CHOICES:
        raise ImportRefused(_("The key must be one of: path, identifier, link."))
    summary = Summary()
    threads: dict[str, SourceArticle] = {}
    deleted_threads: set[str] = set()
    posts: list[tuple[str, SourceComment]] = []
    forum = ""
    try:
        with open(path, encoding="utf-8") as stream:
            reader = PieceReader(stream)
            for piece in reader.pieces():
                element = _parse(piece, reader.root_open, summary)
                if element is None:
                    continue
                forum = forum or _text(element, "forum").strip()
                if piece.name.endswith("thread"):
                    _thread(element, key, threads, deleted_threads, summary)
                elif piece.name.endswith("post"):
                    post = _post(element, summary)
                    if post is not None:
                        posts.append(post)
    except UnicodeDecodeError as error:
        raise ImportRefused(
            _("The file is not UTF-8 text, as Disqus exports are. Nothing was imported.")
        ) from error
    except OSError as error:
        raise ImportRefused(_("The file cannot be read: %(error)s", error=error)) from error
    if reader.prologue_junk:
        summary.notes.append(
            (
                _("start of file"),
                _("text before the XML was ignored: %(text)r", text=reader.prologue_junk[:20]),
            )
        )
    for piece in reader.too_big:
        summary.skipped.append(
            (
                _("%(element)s at line %(line)d", element=piece.name, line=piece.line),
                _(
                    "larger than %(limit)d characters, far more than any real post; not read",
                    limit=MAX_PIECE_CHARS,
                ),
            )
        )
    if reader.unfinished is not None:
        summary.skipped.append(
            (
                _(
                    "%(element)s at line %(line)d",
                    element=reader.unfinished.name,
                    line=reader.unfinished.line,
                ),
                _("the file ends inside it (truncated?)"),
            )
        )
    answered = {post.parent_source_id for _thread_id, post in posts}
    for _thread_id, post in posts:
        if post.status == CommentStatus.TRASH and post.source_id in answered:
            post.status, post.removed = CommentStatus.APPROVED, True
            summary.notes.append(
                (
                    _("comment %(id)s", id=post.source_id),
                    _(
                        "deleted in Disqus but answered: kept as an empty placeholder so the "
                        "replies keep their place"
                    ),
                )
            )
    for thread_id, post in posts:
        article = threads.get(thread_id)
        if article is not None:
            article.comments.append(post)
        elif thread_id in deleted_threads:
            summary.skipped.append(
                (_("comment %(id)s", id=post.source_id), _("its thread was deleted in Disqus"))
            )
        else:
            summary.skipped.append(
                (
                    _("comment %(id)s", id=post.source_id),
                    _("its thread %(thread)s is not in the file", thread=thread_id or "?"),
                )
            )
    if progress:
        progress(
            _(
                "Read %(threads)s and %(posts)s. Importing…",
                threads=ngettext("%(num)d thread", "%(num)d threads", len(threads)),
                posts=ngettext("%(num)d post", "%(num)d posts", len(posts)),
            )
        )
    store = ArticleStore(f"disqus {forum}".strip(), now=now, progress=progress, dry_run=dry_run)
    store.summary.skipped.extend(summary.skipped)
    store.summary.notes.extend(summary.notes)
    if bar is not None:
        bar.start(sum(len(article.comments) for article in threads.values()))
    for article in threads.values():
        if article.comments:
            store.store(article)
            if bar is not None:
                bar.advance(len(article.comments))
    return store.summary


def _parse(piece: Piece, root_open: str, summary: Summary) -> Element | None:
    """One top-level element parsed on its own, within the root's namespaces."""
    try:
        wrapper = fromstring(f"{root_open}{piece.text}</{_root_name(root_open)}>")
    except defusedxml.DefusedXmlException as error:
        raise dtd_refusal() from error
    except ParseError as error:
        summary.skipped.append(
            (
                _("%(element)s at line %(line)d", element=piece.name, line=piece.line),
                _("not well-formed XML (%(error)s)", error=str(error).split(":")[0]),
            )
        )
        return None
    return wrapper[0] if len(wrapper) else None


def _root_name(root_open: str) -> str:
    return re.match(r"<([\w:.-]+)", root_open).group(1)


def _thread(element, key, threads, deleted_threads, summary) -> None:
    thread_id = element.get(DSQ_ID, "").strip()
    if not thread_id:
        summary.skipped.append((_("a thread"), _("it has no dsq:id")))
        return
    if _flag(_text(element, "isDeleted")):
        deleted_threads.add(thread_id)
        return
    threads[thread_id] = SourceArticle(
        source_id=thread_id,
        key=_key(element, key),
        title=plain(_text(element, "title")),
        url=_text(element, "link").strip(),
        closed=bool(_flag(_text(element, "isClosed"))),
        created_at=parse_date(_text(element, "createdAt")),
    )


def _post(element: Element, summary: Summary) -> tuple[str, SourceComment] | None:
    source_id = element.get(DSQ_ID, "").strip()
    if not source_id:
        # Posts that came into Disqus from elsewhere may lack a dsq:id but carry their own.
        own = _text(element, "id").strip()
        source_id = f"id:{own}" if own else ""
    what = _("comment %(id)s", id=source_id or "?")
    if not source_id:
        summary.skipped.append((what, _("it has no comment id")))
        return None
    spam, deleted = _flag(_text(element, "isSpam")), _flag(_text(element, "isDeleted"))
    notes = []
    if spam is None or deleted is None:
        notes.append(_("an unreadable spam or deleted flag; kept as pending"))
        status = CommentStatus.PENDING
    elif spam:
        status = CommentStatus.SPAM
    elif deleted:
        # Kept in the trash for moderators rather than dropped (an answered one becomes an
        # empty placeholder in import_file, so its replies stay visible in their place).
        status = CommentStatus.TRASH
    else:
        status = CommentStatus.APPROVED
    created_at = parse_date(_text(element, "createdAt"))
    if created_at is None:
        notes.append(_("no readable date; the article's date was used"))
    thread = _child(element, "thread")
    parent = _child(element, "parent")
    author = _child(element, "author")
    name = plain(_text(author, "name")) or plain(_text(author, "username"))
    return (
        thread.get(DSQ_ID, "").strip() if thread is not None else "",
        SourceComment(
            source_id=source_id,
            parent_source_id=(parent.get(DSQ_ID) or None) if parent is not None else None,
            author=name,
            # Disqus leaves the email out for most commenters: the avatar then comes from
            # the name, and privacy requests by email cannot find these comments.
            email=_text(author, "email").strip(),
            website="",
            ip=_text(element, "ipAddress").strip(),
            created_at=created_at,
            text=_text(element, "message").strip(),
            status=status,
            date_note="; ".join(notes),
        ),
    )
