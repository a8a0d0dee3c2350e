"""One large JSON document (``{"version": 1, "comments": [...], ...}``) read as a stream: the
items of its top-level arrays one at a time, so that memory follows the largest item and not
the file; and a spill file that keeps them, grouped, until every part of the document is known
(Commento writes the commenters after the comments)."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from typing import TextIO

_BLOCK = 64 * 1024
_SPACE = re.compile(r"[ \t\n\r]*")
# A comment is a few kilobytes (and we keep at most 5,000 characters of its text): an item
# longer than this refuses the file rather than being held whole.
MAX_ITEM_CHARS = 1_000_000


class NotJson(ValueError):
    """The document is not JSON (or an item is longer than MAX_ITEM_CHARS)."""


class _Reader:
    def __init__(self, stream: TextIO):
        self.stream = stream
        self.buffer = ""
        self.at = 0
        self.eof = False
        self.decoder = json.JSONDecoder()

    def _fill(self) -> None:
        chunk = self.stream.read(_BLOCK)
        self.eof = not chunk
        self.buffer = self.buffer[self.at :] + chunk
        self.at = 0

    def _space(self) -> None:
        while True:
            self.at = _SPACE.match(self.buffer, self.at).end()
            if self.at < len(self.buffer) or self.eof:
                return
            self._fill()

    def peek(self) -> str:
        self._space()
        return self.buffer[self.at : self.at + 1]

    def expect(self, char: str) -> None:
        if self.peek() != char:
            found = self.peek() or "the end of the file"
            raise NotJson(f"expected {char!r}, found {found!r}")
        self.at += 1

    def value(self) -> object:
        """The next JSON value, read from as much of the stream as it needs."""
        self._space()
        while True:
            try:
                value, end = self.decoder.raw_decode(self.buffer, self.at)
            except json.JSONDecodeError as error:
                if self.eof:
                    raise NotJson(str(error)) from error
                value, end = None, -1
            except RecursionError as error:
                raise NotJson("nested too deeply") from error
            # A number at the end of the buffer may go on in the next block.
            if end != -1 and (end < len(self.buffer) or self.eof):
                self.at = end
                return value
            if len(self.buffer) - self.at > MAX_ITEM_CHARS:
                raise NotJson(f"an item is longer than {MAX_ITEM_CHARS} characters")
            self._fill()


def top_level(stream: TextIO, arrays: tuple[str, ...]) -> Iterator[tuple[str, object, bool]]:
    """(key, item, True) for each item of the top-level arrays named in ``arrays`` (after (key,
    [], False), which says that the member is an array, empty or not), and (key, value, False)
    for every other top-level member; NotJson when the document is not a JSON object."""
    reader = _Reader(stream)
    reader.expect("{")
    if reader.peek() == "}":
        return
    while True:
        key = reader.value()
        if not isinstance(key, str):
            raise NotJson("a member name is not a string")
        reader.expect(":")
        if key in arrays and reader.peek() == "[":
            reader.expect("[")
            yield key, [], False
            if reader.peek() == "]":
                reader.expect("]")
            else:
                while True:
                    yield key, reader.value(), True
                    if reader.peek() == "]":
                        reader.expect("]")
                        break
                    reader.expect(",")
        else:
            yield key, reader.value(), False
        if reader.peek() == "}":
            reader.expect("}")
            break
        reader.expect(",")
    if reader.peek():
        raise NotJson("text after the document")


class Spill:
    """Items kept in a temporary SQLite file by group, in the order they came."""

    def __init__(self, path: str):
        self.db = sqlite3.connect(path)
        self.db.execute("CREATE TABLE item (seq INTEGER PRIMARY KEY, grp TEXT, body TEXT)")
        self.db.execute("CREATE INDEX item_grp ON item (grp, seq)")

    def add(self, group: str, item: object) -> None:
        self.db.execute("INSERT INTO item (grp, body) VALUES (?, ?)", (group, json.dumps(item)))

    def groups(self) -> Iterator[tuple[str, list]]:
        """(group, its items) in the order each group first came."""
        order = self.db.execute("SELECT grp FROM item GROUP BY grp ORDER BY MIN(seq)").fetchall()
        for (group,) in order:
            rows = self.db.execute(
                "SELECT body FROM item WHERE grp = ? ORDER BY seq", (group,)
            ).fetchall()
            yield group, [json.loads(body) for (body,) in rows]

    def count(self) -> tuple[int, int]:
        """(groups, items)."""
        return self.db.execute("SELECT COUNT(DISTINCT grp), COUNT(*) FROM item").fetchone()

    def close(self) -> None:
        self.db.close()
