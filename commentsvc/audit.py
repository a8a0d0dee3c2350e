"""The audit log: every decision on a comment, and the events that concern no single comment
(settings changed, accounts, privacy requests, purges), read by admins on the log page.

A record names accounts by number (``moderator:7``) and comments by id, never a reader's
name, address or text, so what an erasure cannot reach holds no personal data. (The one
exception, an edit's earlier text, is reached by the erasure through the comment's address.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from commentsvc.extensions import db
from commentsvc.models import ModerationEvent, Moderator

KINDS = {
    "decisions": (
        _l("Decisions on comments"),
        (
            "approve",
            "trash",
            "spam",
            "restore",
            "edit",
            "staff-reply",
            "undo",
            "unsubscribe",
            "report-hold",
            "reports-kept",
        ),
    ),
    "deletes": (_l("Permanent deletes"), ("delete",)),
    "settings": (_l("Settings"), ("setting",)),
    "accounts": (
        _l("Accounts"),
        (
            "account-created",
            "account-disabled",
            "account-enabled",
            "role-changed",
            "password-set",
            "password-reset",
        ),
    ),
    "privacy": (_l("Privacy requests"), ("privacy-export", "privacy-erase")),
    "purge": (_l("Purges"), ("purge",)),
}
PER_PAGE = 50
_SUBJECT = re.compile(r"moderator:(\d+)")


def record_event(action: str, detail: str, *, by: str, now: datetime) -> ModerationEvent:
    """Note an event that concerns no single comment; the caller commits."""
    event = ModerationEvent(comment_id=None, actor=by, action=action, detail=detail, created_at=now)
    db.session.add(event)
    current_app.logger.info("audit %s by %s at %s: %s", action, by, now.isoformat(), detail)
    return event


@dataclass
class LogPage:
    events: list[ModerationEvent]
    page: int
    pages: int
    total: int


def log_page(
    *,
    kind: str | None = None,
    actor: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    page: int = 1,
) -> LogPage:
    """One page of the log, newest first, filtered by kind, moderator and time."""
    conditions = []
    if kind in KINDS:
        conditions.append(ModerationEvent.action.in_(KINDS[kind][1]))
    if actor:
        conditions.append(func.lower(ModerationEvent.actor) == actor.strip().lower())
    if since:
        conditions.append(ModerationEvent.created_at >= since)
    if until:
        conditions.append(ModerationEvent.created_at < until)
    total = db.session.execute(
        select(func.count()).select_from(ModerationEvent).where(*conditions)
    ).scalar_one()
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(1, page), pages)
    events = list(
        db.session.execute(
            select(ModerationEvent)
            .where(*conditions)
            .order_by(ModerationEvent.id.desc())
            .limit(PER_PAGE)
            .offset((page - 1) * PER_PAGE)
        ).scalars()
    )
    return LogPage(events, page, pages, total)


def actors() -> list[str]:
    """Everyone who has done something, for the filter."""
    return list(
        db.session.execute(
            select(ModerationEvent.actor).distinct().order_by(ModerationEvent.actor)
        ).scalars()
    )


def readable_detail(detail: str) -> str:
    """The record's detail with account numbers shown as today's user names."""
    ids = {int(n) for n in _SUBJECT.findall(detail or "")}
    if not ids:
        return detail
    rows = db.session.execute(
        select(Moderator.id, Moderator.username).where(Moderator.id.in_(ids))
    ).all()
    names = {number: name for number, name in rows}
    return _SUBJECT.sub(lambda m: names.get(int(m.group(1)), m.group(0)), detail)
