"""JSON exports as the old systems write them, gzipped or not, read without trusting them: a
line or a document has a bound, and a value that is not what the format says is reported."""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import BinaryIO, TextIO

from flask_babel import gettext as _

from commentsvc.moving.core import ImportRefused

# A real comment line is a few kilobytes (and we keep at most 5,000 characters of its text);
# a longer line is skipped unread, so memory stays bounded whatever the file holds.
MAX_LINE_CHARS = 1_000_000
GZIP_MAGIC = b"\x1f\x8b"


Advance = Callable[[float], None]  # told the share of the file done, from 0 to 1


@dataclass
class Export:
    """An export file open as text, and how far into it the reading has come."""

    text: TextIO
    raw: BinaryIO
    size: int

    def done(self) -> float:
        """The share of the file's bytes read so far (of the gzipped bytes, when gzipped)."""
        return min(1.0, self.raw.tell() / self.size) if self.size else 1.0


@contextmanager
def open_text(path: str) -> Iterator[Export]:
    """The file as UTF-8 text, gunzipped on the way when it is gzipped (as backups are)."""
    try:
        raw = open(path, "rb")  # noqa: SIM115 (closed below, with the text over it)
    except OSError as error:
        raise ImportRefused(_("The file cannot be read: %(error)s", error=error)) from error
    try:
        with raw:
            zipped = raw.read(2) == GZIP_MAGIC
            raw.seek(0, io.SEEK_END)
            size = raw.tell()
            raw.seek(0)
            binary = gzip.GzipFile(fileobj=raw, mode="rb") if zipped else raw
            with io.TextIOWrapper(binary, encoding="utf-8") as text:
                yield Export(text=text, raw=raw, size=size)
    except UnicodeDecodeError as error:
        raise ImportRefused(
            _(
                "The file is not UTF-8 text, as these exports are. The import stopped there; "
                "articles before that point were imported."
            )
        ) from error
    except (OSError, EOFError) as error:  # gzip: truncated or not gzip after all
        raise ImportRefused(
            _(
                "The file could not be read to its end (%(error)s). Is it complete? "
                "Articles before this point were imported.",
                error=error,
            )
        ) from error


def lines(stream: TextIO) -> Iterator[tuple[int, str | None]]:
    """(line number, text) for each non-blank line; text None for a line too long to read."""
    number = 0
    while True:
        line = stream.readline(MAX_LINE_CHARS)
        if not line:
            return
        number += 1
        if len(line) >= MAX_LINE_CHARS and not line.endswith("\n"):
            while (rest := stream.readline(MAX_LINE_CHARS)) and not rest.endswith("\n"):
                pass
            yield number, None
        elif line.strip():
            yield number, line


def loads(text: str) -> object:
    """A JSON value, or ValueError (also for nesting too deep for the parser)."""
    try:
        return json.loads(text)
    except RecursionError as error:
        raise ValueError("nested too deeply") from error


def string(value: object) -> str:
    """A string field as the format has it, trimmed; anything else (a number, a list) is ""."""
    return value.strip() if isinstance(value, str) else ""
