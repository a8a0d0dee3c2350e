"""Export every table to JSON (or JSON Lines) and restore it into an empty database exactly.

This is the backup format and the way from SQLite to PostgreSQL. The tables are found in
the models' metadata, so tables that later issues add (moderators, settings, outbox…) come
along without changes here; columns that hold secrets (password hashes, tokens) are left out
unless asked for.
"""

from __future__ import annotations

import base64
import enum
import json
import re
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

from flask_babel import gettext as _
from sqlalchemy import Column, Table, delete, func, select, text, update
from sqlalchemy.types import TypeDecorator

from commentsvc.errors import DomainError
from commentsvc.extensions import db
from commentsvc.models.base import utcnow
from commentsvc.models.sites import DEFAULT_SITE, Site

FORMAT = "commentsvc-export"
VERSION = 1
# Columns that hold secrets: never in an export unless --with-secrets is given. Found by
# their name, or marked in the model with ``info={"secret": True}`` where the name does not
# say it (the unsubscribe address in the outbox carries a signed token).
SECRET_COLUMNS = re.compile(r"password|secret|token|nonce|api_key", re.IGNORECASE)
_BATCH = 500


class RestoreRefused(DomainError):
    status = 422
    code = "restore_refused"


def exported_tables() -> list[Table]:
    """Every table of the models, parents before the tables that refer to them."""
    return [t for t in db.metadata.sorted_tables if t.name != "alembic_version"]


def schema_revision() -> str:
    """The migration revision(s) the database is at, e.g. ``0005_import``."""
    try:
        rows = db.session.execute(text("SELECT version_num FROM alembic_version")).scalars()
        return ",".join(sorted(rows))
    except Exception:  # a database built without migrations (tests, create_all)
        db.session.rollback()
        return ""


def is_secret(column: Column) -> bool:
    return bool(SECRET_COLUMNS.search(column.name) or column.info.get("secret"))


def _columns(table: Table, with_secrets: bool) -> list[Column]:
    return [c for c in table.columns if with_secrets or not is_secret(c)]


def _json_value(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return value


def _rows(table: Table, with_secrets: bool) -> Iterator[dict[str, Any]]:
    columns = _columns(table, with_secrets)
    query = select(*columns).order_by(*table.primary_key.columns)
    for row in db.session.execute(query.execution_options(yield_per=_BATCH)):
        yield {c.name: _json_value(v) for c, v in zip(columns, row, strict=True)}


def header(*, with_secrets: bool) -> dict[str, Any]:
    counts = {
        t.name: db.session.execute(select(func.count()).select_from(t)).scalar_one()
        for t in exported_tables()
    }
    return {
        "format": FORMAT,
        "version": VERSION,
        "schema": schema_revision(),
        "exported_at": utcnow().isoformat(),
        "with_secrets": with_secrets,
        "counts": counts,
    }


def write_export(out: IO[str], *, lines: bool = False, with_secrets: bool = False) -> dict:
    """Write the whole database to ``out``, streaming row by row; returns the header."""
    if db.session.get_bind().dialect.name == "postgresql":
        # One snapshot for every table, so rows written meanwhile cannot half appear.
        db.session.commit()
        db.session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    head = header(with_secrets=with_secrets)
    if lines:
        out.write(json.dumps(head, ensure_ascii=False) + "\n")
        for table in exported_tables():
            for row in _rows(table, with_secrets):
                out.write(json.dumps({"table": table.name, "row": row}, ensure_ascii=False))
                out.write("\n")
        return head
    out.write("{\n")
    for key, value in head.items():
        out.write(f"{json.dumps(key)}: {json.dumps(value, ensure_ascii=False)},\n")
    out.write('"tables": {')
    for i, table in enumerate(exported_tables()):
        out.write(("," if i else "") + f"\n{json.dumps(table.name)}: [")
        for j, row in enumerate(_rows(table, with_secrets)):
            out.write(("," if j else "") + "\n  " + json.dumps(row, ensure_ascii=False))
        out.write("\n]")
    out.write("\n}\n}\n")
    return head


def read_export(stream: IO[str]) -> tuple[dict, Iterator[tuple[str, dict]]]:
    """The header and the (table, row) pairs of an export in either format."""
    first = stream.readline()
    try:
        head = json.loads(first)
    except json.JSONDecodeError:
        head = None
    if isinstance(head, dict) and "format" in head and "tables" not in head:
        return _checked(head), _jsonl_rows(stream)
    try:
        whole = json.loads(first + stream.read())
    except json.JSONDecodeError as error:
        raise RestoreRefused(
            _(
                "The file is not a commentsvc export (not JSON or JSON Lines: %(error)s). "
                "Nothing was restored.",
                error=error,
            )
        ) from error
    if not isinstance(whole, dict) or not isinstance(whole.get("tables"), dict):
        raise RestoreRefused(_("The file is not a commentsvc export. Nothing was restored."))
    tables = whole.pop("tables")
    pairs = ((name, row) for name, rows in tables.items() for row in rows)
    return _checked(whole), pairs


def _jsonl_rows(stream: IO[str]) -> Iterator[tuple[str, dict]]:
    for number, line in enumerate(stream, start=2):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            yield record["table"], record["row"]
        except (json.JSONDecodeError, KeyError, TypeError) as error:
            raise RestoreRefused(
                _("Line %(line)d of the export cannot be read. Nothing was restored.", line=number)
            ) from error


def _checked(head: dict) -> dict:
    if head.get("format") != FORMAT or head.get("version") != VERSION:
        raise RestoreRefused(_("The file is not a commentsvc export. Nothing was restored."))
    here = schema_revision()
    if head.get("schema", "") != here:
        raise RestoreRefused(
            _(
                "The export was made at schema %(theirs)s, this database is at %(ours)s. "
                "Run the same version of commentsvc on both sides (flask --app commentsvc "
                "init-db). Nothing was restored.",
                theirs=head.get("schema") or "?",
                ours=here or "?",
            )
        )
    return head


def database_is_empty() -> bool:
    """Nothing but what init-db puts in: the default site as the migrations made it."""
    sites = [(s.id, s.name, s.settings) for s in db.session.execute(select(Site)).scalars()]
    return sites in ([], [(DEFAULT_SITE, "", {})]) and all(
        db.session.execute(select(func.count()).select_from(t)).scalar_one() == 0
        for t in exported_tables()
        if t.name != "site"
    )


def restore(stream: IO[str]) -> tuple[dict, dict[str, int]]:
    """Restore an export into this (empty) database in one transaction.

    Returns the export's header and the rows restored per table.
    """
    if not database_is_empty():
        raise RestoreRefused(
            _(
                "The database is not empty. import-json restores only into an empty database "
                "(create it with init-db first). Nothing was restored."
            )
        )
    head, pairs = read_export(stream)
    tables = {t.name: t for t in exported_tables()}
    counts = dict.fromkeys(tables, 0)
    try:
        # The export carries its own sites, the default one too.
        db.session.execute(delete(Site))
        _insert_all(tables, pairs, counts, with_secrets=bool(head.get("with_secrets")))
        _reset_sequences(tables.values())
        from commentsvc.gdpr.rights import fill_missing_addresses

        fill_missing_addresses()
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return head, counts


def has_secret_columns() -> bool:
    """Whether this database has columns an export leaves out without --with-secrets."""
    return any(is_secret(c) for t in exported_tables() for c in t.columns)


def _insert_all(
    tables: dict[str, Table],
    pairs: Iterable[tuple[str, dict]],
    counts: dict[str, int],
    *,
    with_secrets: bool,
) -> None:
    pending: list[dict] = []
    current: Table | None = None
    links: list[tuple[Table, dict]] = []  # self-references, set once every row is in

    def flush() -> None:
        if current is not None and pending:
            db.session.execute(current.insert(), pending)
            pending.clear()

    for name, row in pairs:
        table = tables.get(name)
        if table is None:
            raise RestoreRefused(
                _(
                    "The export has a table %(name)s that this database does not know. "
                    "Nothing was restored.",
                    name=name,
                )
            )
        if table is not current:
            flush()
            current = table
        values, self_links = _row_values(table, row, with_secrets)
        if self_links:
            links.append((table, self_links))
        pending.append(values)
        counts[name] += 1
        if len(pending) >= _BATCH:
            flush()
    flush()
    for table, values in links:
        key = {c.name: values.pop(c.name) for c in table.primary_key.columns}
        where = [c == key[c.name] for c in table.primary_key.columns]
        db.session.execute(update(table).where(*where).values(**values))


def _row_values(table: Table, row: dict, with_secrets: bool) -> tuple[dict, dict]:
    """Column values for an insert, and the self-referencing ones to set afterwards."""
    unknown = set(row) - set(table.columns.keys())
    if unknown:
        raise RestoreRefused(
            _(
                "The export has columns %(columns)s in %(table)s that this database does not "
                "know. Nothing was restored.",
                columns=", ".join(sorted(unknown)),
                table=table.name,
            )
        )
    self_refs = {fk.parent.name for fk in table.foreign_keys if fk.column.table is table}
    values: dict[str, Any] = {}
    later: dict[str, Any] = {}
    for column in table.columns:
        if column.name not in row:
            if is_secret(column) and not column.nullable:
                values[column.name] = ""  # left out of the export: must be set anew
            continue
        value = _python_value(column, row[column.name])
        if column.name in self_refs and value is not None:
            later[column.name] = value
            values[column.name] = None
        else:
            values[column.name] = value
    if later:
        later.update({c.name: values[c.name] for c in table.primary_key.columns})
    return values, later


def _python_value(column: Column, value: Any) -> Any:
    if value is None:
        return None
    enum_class = getattr(column.type, "enum_class", None)
    if enum_class is not None:
        return enum_class(value)
    kind_of = column.type
    if isinstance(kind_of, TypeDecorator):
        kind_of = kind_of.impl_instance
    try:
        kind = kind_of.python_type
    except NotImplementedError:
        return value
    if kind is datetime:
        return datetime.fromisoformat(value)
    if kind is date:
        return date.fromisoformat(value)
    if kind is Decimal:
        return Decimal(value)
    if kind is bytes:
        return base64.b64decode(value)
    return value


def _reset_sequences(tables: Iterable[Table]) -> None:
    """PostgreSQL hands out ids from sequences: move them past the ids just inserted."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    quote = db.session.get_bind().dialect.identifier_preparer.quote
    for table in tables:
        keys = list(table.primary_key.columns)
        if len(keys) != 1 or keys[0].type.python_type is not int:
            continue
        name, column = quote(table.name), quote(keys[0].name)
        db.session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence(:table, :column), "  # noqa: S608
                f"COALESCE(MAX({column}), 1), MAX({column}) IS NOT NULL) FROM {name}"
            ),
            {"table": name, "column": keys[0].name},
        )
