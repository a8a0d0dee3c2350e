"""A large XML export read piece by piece: its top-level elements, one at a time, streaming,
without trusting it (no DTD, no entity, a bound on each piece)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from flask_babel import gettext as _

from commentsvc.moving.core import ImportRefused

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


class PieceReader:
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
                raise dtd_refusal()
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
                raise dtd_refusal()
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


def dtd_refusal() -> ImportRefused:
    return ImportRefused(
        _(
            "The file declares a DTD or XML entities. Such files are refused because they can "
            "expand without limit or read other files; a real Disqus export has none. "
            "Nothing was imported."
        )
    )
