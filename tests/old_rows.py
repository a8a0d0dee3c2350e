"""Rows planted with plain SQL in a database at an earlier revision, as the code of that time
wrote them: today's services and models write today's schema (a thread's site, say), which
an old database does not have. The tables here are those from 0013_audit_details to
0018_pending_edits (the columns the tests need; the others have defaults)."""

from __future__ import annotations

import json
from datetime import datetime
from html import escape

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from werkzeug.security import generate_password_hash

from commentsvc.models.base import UTCDateTime, utcnow

ARTICLE = sa.table(
    "article",
    sa.column("id", sa.Integer),
    sa.column("key", sa.String),
    sa.column("title", sa.String),
    sa.column("url", sa.String),
    sa.column("closed", sa.Boolean),
    sa.column("created_at", UTCDateTime),
    sa.column("version", sa.Integer),
)
COMMENT = sa.table(
    "comment",
    sa.column("id", sa.Integer),
    sa.column("article_id", sa.Integer),
    sa.column("parent_id", sa.Integer),
    sa.column("root_id", sa.Integer),
    sa.column("depth", sa.Integer),
    sa.column("status", sa.String),
    sa.column("text", sa.Text),
    sa.column("html", sa.Text),
    sa.column("author", sa.String),
    sa.column("email", sa.String),
    sa.column("address", sa.String),
    sa.column("website", sa.String),
    sa.column("ip", sa.String),
    sa.column("held_for", sa.String),
    sa.column("avatar", sa.String),
    sa.column("created_at", UTCDateTime),
    sa.column("decided_at", UTCDateTime),
    sa.column("decided_by", sa.String),
    sa.column("by_staff", sa.Boolean),
)
MODERATOR = sa.table(
    "moderator",
    sa.column("id", sa.Integer),
    sa.column("username", sa.String),
    sa.column("email", sa.String),
    sa.column("address", sa.String),
    sa.column("display_name", sa.String),
    sa.column("password_hash", sa.String),
    sa.column("role", sa.String),
    sa.column("active", sa.Boolean),
    sa.column("notify", sa.Boolean),
    sa.column("created_at", UTCDateTime),
)
# The audit log from 0013 on: what happened as fields (``details``), no site.
EVENT = sa.table(
    "moderation_event",
    sa.column("id", sa.Integer),
    sa.column("comment_id", sa.Integer),
    sa.column("actor", sa.String),
    sa.column("action", sa.String),
    sa.column("before", sa.String),
    sa.column("after", sa.String),
    sa.column("details", sa.JSON),
    sa.column("undone", sa.Boolean),
    sa.column("created_at", UTCDateTime),
)
# The admins' settings before sites (0019 makes them the default site's).
SETTING = sa.table(
    "setting",
    sa.column("key", sa.String),
    sa.column("value", sa.Text),
    sa.column("updated_at", UTCDateTime),
    sa.column("updated_by", sa.String),
)
OUTBOX_MAIL = sa.table(
    "outbox_mail",
    sa.column("id", sa.Integer),
    sa.column("recipient", sa.String),
    sa.column("recipient_address", sa.String),
    sa.column("subject", sa.String),
    sa.column("body", sa.Text),
    sa.column("comment_id", sa.Integer),
    sa.column("created_at", UTCDateTime),
    sa.column("attempts", sa.Integer),
    sa.column("next_attempt_at", UTCDateTime),
    sa.column("last_error", sa.Text),
)


def _insert(conn: Connection, table: sa.TableClause, **values) -> int:
    return conn.execute(sa.insert(table).values(**values).returning(table.c.id)).scalar_one()


def plant_article(
    conn: Connection,
    key: str,
    *,
    title: str = "",
    url: str = "",
    closed: bool = False,
    created_at: datetime | None = None,
) -> int:
    return _insert(
        conn,
        ARTICLE,
        key=key,
        title=title or key,
        url=url,
        closed=closed,
        created_at=created_at or utcnow(),
        version=0,
    )


def plant_comment(
    conn: Connection,
    article_id: int,
    text: str,
    *,
    author: str = "Läsare",
    email: str = "",
    parent: int | None = None,
    status: str = "approved",
    by_staff: bool = False,
    decided_by: str | None = None,
    created_at: datetime | None = None,
) -> int:
    """A comment (a reply when ``parent`` is given) with its text as its only paragraph."""
    root, depth = None, 1
    if parent is not None:
        above = conn.execute(
            sa.select(COMMENT.c.root_id, COMMENT.c.depth).where(COMMENT.c.id == parent)
        ).one()
        root, depth = above.root_id or parent, above.depth + 1
    return _insert(
        conn,
        COMMENT,
        article_id=article_id,
        parent_id=parent,
        root_id=root,
        depth=depth,
        status=status,
        text=text,
        html=f"<p>{escape(text)}</p>",
        author=author,
        email=email,
        address=email.strip().lower(),
        website="",
        ip="192.0.2.0",
        held_for="",
        avatar="",
        created_at=created_at or utcnow(),
        decided_at=utcnow() if decided_by else None,
        decided_by=decided_by,
        by_staff=by_staff,
    )


def plant_moderator(
    conn: Connection,
    username: str,
    *,
    role: str = "moderator",
    display_name: str = "",
    email: str = "",
    password: str = "not a password",
) -> int:
    return _insert(
        conn,
        MODERATOR,
        username=username,
        email=email,
        address=email.strip().lower(),
        display_name=display_name,
        password_hash=generate_password_hash(password, method="scrypt"),
        role=role,
        active=True,
        notify=False,
        created_at=utcnow(),
    )


def plant_event(
    conn: Connection,
    action: str,
    details: dict | None = None,
    *,
    actor: str,
    comment_id: int | None = None,
    before: str | None = None,
    after: str | None = None,
) -> int:
    """An audit record (from 0013 on, when details became fields)."""
    return _insert(
        conn,
        EVENT,
        comment_id=comment_id,
        actor=actor,
        action=action,
        before=before,
        after=after,
        details=details or {},
        undone=False,
        created_at=utcnow(),
    )


def plant_setting(conn: Connection, key: str, value, *, by: str) -> None:
    """An admin's setting as the settings page stored it: the value as JSON."""
    conn.execute(
        sa.insert(SETTING).values(
            key=key, value=json.dumps(value), updated_at=utcnow(), updated_by=by
        )
    )


def plant_mail(
    conn: Connection, recipient: str, subject: str, *, comment_id: int | None = None
) -> int:
    """A mail waiting in the outbox."""
    return _insert(
        conn,
        OUTBOX_MAIL,
        recipient=recipient,
        recipient_address=recipient.lower(),
        subject=subject,
        body=subject,
        comment_id=comment_id,
        created_at=utcnow(),
        attempts=0,
        next_attempt_at=utcnow(),
        last_error="",
    )
