"""Reading Isso's SQLite database without trusting it: read-only, its schema checked, every
text field cut in SQLite itself to the form's limit (its real length kept for the summary),
one pass ordered by thread so that memory holds one thread at a time."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

from flask_babel import gettext as _

from commentsvc.forms.comment import AUTHOR_MAX, COMMENT_MAX, EMAIL_MAX, URL_MAX
from commentsvc.models.threads import ARTICLE_TITLE_MAX, ARTICLE_URL_MAX
from commentsvc.moving.core import ImportRefused, LongText, plain

NEEDED = {
    "threads": {"id", "uri", "title"},
    "comments": {"tid", "id", "parent", "created", "mode", "text", "author", "email"},
}
# Older Isso databases lack some of these; a missing one reads as its default.
OPTIONAL = {
    "modified": "NULL",
    "remote_addr": "''",
    "website": "NULL",
    "likes": "0",
    "dislikes": "0",
    "notification": "0",
}
# How much of each field comes out of SQLite: one more than the form takes, to know it was cut.
KEPT = {
    "text": COMMENT_MAX + 1,
    "author": AUTHOR_MAX + 1,
    "email": EMAIL_MAX + 1,
    "website": URL_MAX + 1,
    "remote_addr": 64,
}
URI_KEPT = ARTICLE_URL_MAX + 1


def _not_sqlite(error: Exception) -> ImportRefused:
    return ImportRefused(
        _(
            "The file is not an SQLite database (%(error)s). Give the path of Isso's "
            "database (dbpath in its configuration). Nothing was imported.",
            error=error,
        )
    )


def open_database(path: str) -> sqlite3.Connection:
    """The database, read-only (``mode=ro``: nothing of Isso's is ever changed), or a refusal
    that says why."""
    if not Path(path).is_file():
        raise ImportRefused(_("The file cannot be read: %(error)s", error=path))
    connection = sqlite3.connect(f"file:{quote(str(Path(path).resolve()))}?mode=ro", uri=True)
    # Isso writes UTF-8; a row that is not is read with replacement characters, never a crash.
    connection.text_factory = lambda raw: raw.decode("utf-8", "replace")
    try:
        tables = {
            name: {row[1] for row in connection.execute(f"PRAGMA table_info({name})")}
            for name in NEEDED
        }
    except sqlite3.OperationalError as error:
        connection.close()
        if "locked" not in str(error):
            raise _not_sqlite(error) from error
        raise ImportRefused(
            _(
                "Isso's database is locked by a program writing to it (Isso itself?): stop "
                "it, or import a copy of the file. Nothing was imported."
            )
        ) from error
    except sqlite3.DatabaseError as error:
        connection.close()
        raise _not_sqlite(error) from error
    for name, columns in NEEDED.items():
        if not columns <= tables[name]:
            connection.close()
            raise ImportRefused(
                _(
                    "The database is not Isso's: its %(table)s table lacks %(columns)s. "
                    "Nothing was imported.",
                    table=name,
                    columns=", ".join(sorted(columns - tables[name])),
                )
            )
    connection.row_factory = sqlite3.Row
    return connection


def comment_rows(connection: sqlite3.Connection) -> Iterator[sqlite3.Row]:
    """Every comment with its thread, thread by thread, each field cut in SQLite itself."""
    present = {row[1] for row in connection.execute("PRAGMA table_info(comments)")}
    columns = [
        f"c.{name} AS {name}" if name in present else f"{default} AS {name}"
        for name, default in OPTIONAL.items()
        if name not in KEPT
    ]
    for name, limit in KEPT.items():
        source = f"c.{name}" if name in present else OPTIONAL[name]
        columns += [f"substr({source}, 1, {limit}) AS {name}", f"length({source}) AS {name}_len"]
    # Built only from this module's own column names and numbers, never from the file.
    yield from connection.execute(
        f"SELECT c.tid AS tid, c.id AS id, c.parent AS parent, c.created AS created, "  # noqa: S608
        f"c.mode AS mode, {', '.join(columns)}, t.id AS thread, "
        f"substr(t.uri, 1, {URI_KEPT}) AS uri, length(t.uri) AS uri_len, "
        f"substr(t.title, 1, {ARTICLE_TITLE_MAX + 1}) AS title, "
        f"length(t.title) AS title_len "
        "FROM comments AS c LEFT JOIN threads AS t ON t.id = c.tid ORDER BY c.tid, c.id"
    )


def field(row: sqlite3.Row, name: str, *, escaped: bool = False) -> str:
    """A text field as a string, with its real length when SQLite held more than we took;
    ``escaped``: Isso stored it HTML-escaped (names, addresses), so it is unescaped."""
    value = row[name]
    value = "" if value is None else str(value)
    if escaped:
        value = plain(value)
    length = row[f"{name}_len"] or 0
    if length > len(value):
        value = LongText(value)
        value.length = length
    return value


def source_name(connection: sqlite3.Connection) -> str:
    """The name the import mapping knows this database by: a hash of Isso's own random
    session key (never the key itself, which signs Isso's cookies), so a copy of the file
    moved elsewhere is still the same source and another Isso's ids do not collide."""
    try:
        row = connection.execute(
            "SELECT value FROM preferences WHERE key = 'session-key'"
        ).fetchone()
    except sqlite3.DatabaseError:
        row = None
    if row is None or not row[0]:
        return "isso"
    return f"isso {hashlib.sha256(str(row[0]).encode()).hexdigest()[:16]}"
