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
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element, ParseError

import defusedxml
from defusedxml.ElementTree import fromstring
from flask_babel import gettext as _
from flask_babel import ngettext

from commentsvc.models import CommentStatus
from commentsvc.moving.core import (
    ArticleStore,
    ImportRefused,
    Progress,
    SourceArticle,
    SourceComment,
    Summary,
    parse_date,
    plain,
)

KEY_CHOICES = ("path", "identifier", "link")
DSQ_ID = "{http://disqus.com/disqus-internals}id"
_BLOCK = 1 << 20
# Markup tokens: CDATA, comments, processing instructions, declarations, and tags (whose
# quoted attribute values may hold ">"). Text between tokens is not looked at here.
_TOKEN = re.compile(
    r"<!\[CDATA\[.*?\]\]>|<!--.*?-->|<\?.*?\?>|<!(?:DOCTYPE|ENTITY)|"
    r"<(/?)([A-Za-z_][\w:.-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>",
    re.DOTALL,
)
_PARTIAL = re.compile(r"<(?:!\[CDATA\[|!--|\?|[/A-Za-z_!])")
# A top-level element bigger than this is skipped and reported, unread: a real Disqus post is a
# few thousand characters (and we keep at most 5,000 of its text), so memory stays bounded.
MAX_PIECE_CHARS = 1_000_000


class _PieceTooBig(Exception):
    pass


@dataclass
class Piece:
    """A top-level element of the export, as text, with the line it starts on."""

    name: str
    text: str
    line: int


class _Reader:
    """Cuts a Disqus export into its top-level elements, streaming, without trusting it."""

    def __init__(self, stream):
        self.stream = stream
        self.buffer = ""
        self.line = 1  # line of buffer[0]
        self.eof = False
        self.root_open = ""
        self.prologue_junk = ""
        self.unfinished: Piece | None = None
        self.too_big: list[Piece] = []
        self._piece_from: int | None = None  # where the element being read starts in buffer

    def _more(self) -> bool:
        if self.eof:
            return False
        block = self.stream.read(_BLOCK)
        if not block:
            self.eof = True
            return False
        self.buffer += block
        if self._piece_from is not None and len(self.buffer) - self._piece_from > MAX_PIECE_CHARS:
            raise _PieceTooBig
        return True

    def _skip_to_end(self, name: str) -> None:
        """Drop the element being read up to its end tag, keeping little in memory."""
        end = f"</{name}>"
        while True:
            at = self.buffer.find(end)
            if at >= 0:
                self._drop(at + len(end))
                return
            self._drop(max(0, len(self.buffer) - len(end)))
            if not self._more():
                self.buffer = ""
                return

    def _drop(self, upto: int) -> None:
        self.line += self.buffer.count("\n", 0, upto)
        self.buffer = self.buffer[upto:]

    def _token(self, start: int) -> re.Match | None:
        """The markup token at or after ``start``, reading more of the file as needed."""
        while True:
            at = self.buffer.find("<", start)
            if at >= 0:
                match = _TOKEN.match(self.buffer, at)
                if match and (match.end() < len(self.buffer) or self.eof):
                    return match
                if not match and not _PARTIAL.match(self.buffer, at) and at + 10 < len(self.buffer):
                    start = at + 1  # a stray "<" in text; not markup
                    continue
            if not self._more():
                if at < 0:
                    return None
                match = _TOKEN.match(self.buffer, at)
                if match:
                    return match
                # Markup that never closes (an unterminated CDATA, a quote): step over its
                # "<" so the elements after it are still read; its own element fails to parse.
                start = at + 1

    def pieces(self) -> Iterator[Piece]:
        root = self._root()
        depth = 0
        start = 0
        piece_start = -1
        piece_name = ""
        while True:
            try:
                match = self._token(start)
            except _PieceTooBig:
                line = self.line + self.buffer.count("\n", 0, piece_start)
                self.too_big.append(Piece(piece_name, "", line))
                self._piece_from = None
                self._drop(piece_start)
                self._skip_to_end(piece_name)
                depth, start, piece_start = 0, 0, -1
                continue
            if match is None:
                if depth > 0:
                    line = self.line + self.buffer.count("\n", 0, piece_start)
                    self.unfinished = Piece(piece_name, "", line)
                return
            token = match.group(0)
            if token.startswith("<!") and not token.startswith(("<![CDATA[", "<!--")):
                raise _dtd_refusal()
            start = match.end()
            name = match.group(2)
            if name is None:
                continue
            closing, attributes = match.group(1), match.group(3) or ""
            if closing:
                if depth == 0 and name == root:
                    return
                depth -= 1
                if depth == 0:
                    text = self.buffer[piece_start : match.end()]
                    line = self.line + self.buffer.count("\n", 0, piece_start)
                    self._piece_from = None
                    yield Piece(piece_name, text, line)
                    self._drop(match.end())
                    start = 0
                elif depth < 0:
                    depth = 0
            elif attributes.rstrip().endswith("/"):
                if depth == 0:
                    line = self.line + self.buffer.count("\n", 0, match.start())
                    yield Piece(name, match.group(0), line)
                    self._drop(match.end())
                    start = 0
            else:
                if depth == 0:
                    piece_start, piece_name = match.start(), name
                    self._piece_from = piece_start
                depth += 1

    def _root(self) -> str:
        """Find the root element's start tag; remember it (it declares the namespaces)."""
        start = 0
        while True:
            match = self._token(start)
            if match is None:
                raise ImportRefused(
                    _(
                        "The file is not a Disqus export (no <disqus> element). In Disqus, "
                        "export the comments from the admin pages. Nothing was imported."
                    )
                )
            token = match.group(0)
            if token.startswith("<!") and not token.startswith("<!--"):
                raise _dtd_refusal()
            if match.group(2) and not match.group(1):
                if match.group(2).rsplit(":", 1)[-1] != "disqus":
                    raise ImportRefused(
                        _(
                            "The file is XML but not a Disqus export (its root is <%(root)s>). "
                            "Nothing was imported.",
                            root=match.group(2),
                        )
                    )
                prologue = self.buffer[: match.start()]
                prologue = re.sub(r"<\?.*?\?>|<!--.*?-->", "", prologue, flags=re.DOTALL)
                self.prologue_junk = prologue.strip()
                self.root_open = match.group(0)
                self._drop(match.end())
                return match.group(2)
            start = match.end()


def _dtd_refusal() -> ImportRefused:
    return ImportRefused(
        _(
            "The file declares a DTD or XML entities. Such files are refused because they can "
            "expand without limit or read other files; a real Disqus export has none. "
            "Nothing was imported."
        )
    )


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
    path: str, *, key: str = "path", now: datetime, progress: Progress | None = None
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
            reader = _Reader(stream)
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
    store = ArticleStore(f"disqus {forum}".strip(), now=now, progress=progress)
    store.summary.skipped.extend(summary.skipped)
    store.summary.notes.extend(summary.notes)
    for article in threads.values():
        if article.comments:
            store.store(article)
    return store.summary


def _parse(piece: Piece, root_open: str, summary: Summary) -> Element | None:
    """One top-level element parsed on its own, within the root's namespaces."""
    try:
        wrapper = fromstring(f"{root_open}{piece.text}</{_root_name(root_open)}>")
    except defusedxml.DefusedXmlException as error:
        raise _dtd_refusal() from error
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
