"""Data-subject requests: everything stored about an email, and erasing it (GDPR art. 15, 17).

A service: plain arguments, owns the commit. The audit entry names what was done and how
many rows, never the erased data itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import exists, func, select
from sqlalchemy.orm import aliased

from .extensions import db
from .models import Comment

ERASED_AUTHOR = "Anonym"


@dataclass(frozen=True)
class PersonalDataSource:
    """Another table that holds data about an email (subscriptions, outbox…).

    ``find(email)`` returns its rows as JSON-ready dicts; ``erase(email, delete)`` removes
    or anonymizes them and returns how many rows it touched.
    """

    name: str
    find: Callable[[str], list[dict[str, Any]]]
    erase: Callable[[str, bool], int]


# Issue 5 leaves this empty: when subscriptions and the outbox are merged (issues 3/4), add a
# PersonalDataSource for each here, and export and erase cover them too.
OTHER_SOURCES: tuple[PersonalDataSource, ...] = ()


@dataclass
class Erasure:
    anonymized: int = 0  # comments kept (anonymized), with or without their text
    deleted: int = 0  # comments removed entirely (--delete, nobody answered them)
    other: int = 0  # rows in other tables

    @property
    def found(self) -> bool:
        return bool(self.anonymized or self.deleted or self.other)


def _normalized(email: str) -> str:
    # lower(), not casefold(): it must match what the database's lower() does.
    return email.strip().lower()


def _by_email(email: str):
    return func.lower(Comment.email) == _normalized(email)


def comment_record(comment: Comment) -> dict[str, Any]:
    """One comment as a data subject receives it: every stored field, its article too."""

    def when(moment: datetime | None) -> str | None:
        return moment.isoformat() if moment else None

    return {
        "id": comment.id,
        "article": {
            "key": comment.article.key,
            "title": comment.article.title,
            "url": comment.article.url,
        },
        "parent_id": comment.parent_id,
        "status": comment.status.value,
        "author": comment.author,
        "email": comment.email,
        "website": comment.website,
        "ip": comment.ip,
        "avatar": comment.avatar,
        "text": comment.text,
        "html": comment.html,
        "held_for": comment.held_for,
        "created_at": when(comment.created_at),
        "edited_at": when(comment.edited_at),
        "decided_at": when(comment.decided_at),
        "decided_by": comment.decided_by,
    }


def personal_data(email: str, *, now: datetime, by: str) -> dict[str, Any]:
    """Everything stored about ``email``, as one JSON-ready document."""
    comments = db.session.execute(
        select(Comment).where(_by_email(email)).order_by(Comment.created_at, Comment.id)
    ).scalars()
    document: dict[str, Any] = {
        "email": email.strip(),
        "generated_at": now.isoformat(),
        "comments": [comment_record(c) for c in comments],
    }
    for source in OTHER_SOURCES:
        document[source.name] = source.find(email)
    rows = sum(len(v) for v in document.values() if isinstance(v, list))
    record_audit("privacy-export", f"{rows} rows", by=by, now=now)
    return document


def has_data(document: dict[str, Any]) -> bool:
    return any(isinstance(v, list) and v for v in document.values())


def erase(email: str, *, delete: bool = False, now: datetime, by: str) -> Erasure:
    """Anonymize every comment by ``email``; with ``delete`` remove the texts too.

    Anonymized: author "Anonym", email, website, IP and avatar cleared (the avatar cannot be
    derived again, as it came from the email). With ``delete`` the text goes as well; a
    comment that others answered stays as an empty placeholder so the replies keep their
    place, and one nobody answered is removed.
    """
    result = Erasure()
    comments = list(db.session.execute(select(Comment).where(_by_email(email))).scalars())
    for comment in comments:
        comment.author = ERASED_AUTHOR
        comment.email = ""
        comment.website = ""
        comment.ip = ""
        comment.avatar = ""
        if delete:
            comment.text = ""
            comment.html = ""
    db.session.flush()
    if delete:
        result.deleted = _delete_unanswered([c.id for c in comments])
    result.anonymized = len(comments) - result.deleted
    for source in OTHER_SOURCES:
        result.other += source.erase(email, delete)
    detail = (
        f"{result.anonymized} comments anonymized, {result.deleted} deleted, "
        f"{result.other} other rows" + (", texts removed" if delete else "")
    )
    record_audit("privacy-erase", detail, by=by, now=now)
    db.session.commit()
    return result


def _delete_unanswered(ids: list[int]) -> int:
    """Delete those of ``ids`` that no comment answers, repeating up chains; how many."""
    deleted = 0
    remaining = set(ids)
    while remaining:
        reply = aliased(Comment)
        unanswered = list(
            db.session.execute(
                select(Comment).where(
                    Comment.id.in_(remaining),
                    ~exists().where(reply.parent_id == Comment.id),
                    ~exists().where(reply.root_id == Comment.id),
                )
            ).scalars()
        )
        if not unanswered:
            break
        for comment in unanswered:
            db.session.delete(comment)
            remaining.discard(comment.id)
        db.session.flush()
        deleted += len(unanswered)
    return deleted


def record_audit(action: str, detail: str, *, by: str, now: datetime) -> None:
    """Note a data-subject request or a purge in the audit trail, without personal data.

    Issue 5 writes it to the application log; once issue 3's moderation events are merged,
    the lead makes this one function write a ModerationEvent instead.
    """
    current_app.logger.info("audit %s by %s at %s: %s", action, by, now.isoformat(), detail)
