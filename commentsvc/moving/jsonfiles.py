"""JSON exports as the old systems write them, gzipped or not, read without trusting them: a
line or a document has a bound, and a value that is not what the format says is reported."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from flask_babel import gettext as _

from commentsvc.moving.core import ImportRefused

# A real comment line is a few kilobytes (and we keep at most 5,000 characters of its text);
# a longer line is skipped unread, so memory stays bounded whatever the file holds.
MAX_LINE_CHARS = 1_000_000
GZIP_MAGIC = b"\x1f\x8b"


@contextmanager
def open_text(path: str) -> Iterator[TextIO]:
    """The file as UTF-8 text, gunzipped on the way when it is gzipped (as backups are)."""
    try:
        with open(path, "rb") as probe:
            zipped = probe.read(2) == GZIP_MAGIC
        stream = (
            gzip.open(path, "rt", encoding="utf-8") if zipped else open(path, encoding="utf-8")  # noqa: SIM115
        )
    except OSError as error:
        raise ImportRefused(_("The file cannot be read: %(error)s", error=error)) from error
    try:
        with stream:
            yield stream
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
