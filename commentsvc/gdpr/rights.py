"""Data-subject requests: everything stored about an email, and erasing it (GDPR art. 15, 17).

A service: plain arguments; it flushes, and the command or page that serves the request
commits. The audit entry (a ``ModerationEvent`` with no comment) names what was done, by
whom, when and how many rows, never the data itself.

Besides comments, an email can be in the outbox (mails to moderators that quote a held comment,
with its author's name, email and text, mails to a moderator, readers' notification mails that
quote comments, and mails to a subscriber), in a moderator account and in readers'
subscriptions.
Each such table is a ``PersonalDataSource`` in ``OTHER_SOURCES``: export and erase cover them.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from commentsvc.audit import record_event
from commentsvc.errors import DomainError
from commentsvc.extensions import db
from commentsvc.gdpr.sources import INSTALLATION_SOURCES, OTHER_SOURCES, _by_email, _moderators
from commentsvc.models.mail import OutboxMail
from commentsvc.models.moderation import AuditAction, ModerationEvent, Moderator
from commentsvc.models.threads import Comment
from commentsvc.privacy.identity import normalize_address
from commentsvc.threads.removal import delete_for_good
from commentsvc.threads.rows import ANONYMOUS_AUTHOR

ERASED_AUTHOR = ANONYMOUS_AUTHOR  # as a comment without a name is shown


class NotAnEmail(DomainError):
    """An empty or malformed address: it would match every comment without an email."""

    status = 422
    code = "invalid"


def _checked(email: str) -> str:
    address = normalize_address(email)
    if not address or "@" not in address or len(address) > 254:
        raise NotAnEmail(_l("Enter an email address like namn@exempel.se."))
    return address


class ErasureRefused(DomainError):
    """The email belongs to an active moderator account: disable the account first."""

    status = 409
    code = "erasure_refused"


def refuse_active_moderator(email: str) -> None:
    """Erasing the email of a working account would break its login and mail: refused."""
    active = db.session.execute(
        select(Moderator.username).where(_moderators(email), Moderator.active.is_(True))
    ).first()
    if active is not None:
        raise ErasureRefused(
            _l(
                "This email address belongs to the active moderator account %(name)s. "
                "Disable the account first (Moderators), then erase. Nothing was changed.",
                name=active[0],
            )
        )


@dataclass
class Erasure:
    anonymized: int = 0  # comments kept (anonymized), with or without their text
    deleted: int = 0  # comments removed entirely (--delete, nobody answered them)
    other: int = 0  # rows in other tables

    @property
    def found(self) -> bool:
        return bool(self.anonymized or self.deleted or self.other)


def describe_erasure(anonymized: int, deleted: int, other: int) -> str:
    """What an erasure did, each count in its singular or plural: for the CLI and the page."""
    parts = [
        ngettext("%(num)d comment anonymized", "%(num)d comments anonymized", anonymized),
        ngettext("%(num)d deleted", "%(num)d deleted", deleted),
        ngettext("%(num)d other record", "%(num)d other records", other),
    ]
    return gettext("Erased: %(parts)s.", parts=", ".join(parts))


def comment_record(comment: Comment) -> dict[str, Any]:
    """One comment as a data subject receives it: every stored field, its article too."""

    def when(moment: datetime | None) -> str | None:
        return moment.isoformat() if moment else None

    return {
        "id": comment.id,
        "site": comment.article.site_id,
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


def personal_data(
    email: str, *, now: datetime, by: str, sites: Collection[str] | None = None
) -> dict[str, Any]:
    """Everything stored about ``email``, as one JSON-ready document; every row names its site.

    The address is one person on every site, so the document covers them all. With ``sites``
    (a site admin's view) it holds those sites' part only: their comments and what hangs on
    them, and the reports, statements, subscriptions and mails of those sites; the
    installation's own records (moderator accounts, failed logins, links) are left out, and
    ``installation_only`` names them.
    """
    _checked(email)
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
    if sites is not None:
        document = _sites_part(document, set(sites))
    rows = sum(len(v) for v in document.values() if isinstance(v, list))
    one_site = next(iter(sites)) if sites is not None and len(sites) == 1 else None
    record_audit(AuditAction.PRIVACY_EXPORT, {"rows": rows}, by=by, now=now, site=one_site)
    db.session.flush()
    return document


def _sites_part(document: dict[str, Any], sites: set[str]) -> dict[str, Any]:
    """The document as an admin of ``sites`` may see it. A row names its site, or the comment
    it hangs on (earlier versions, waiting edits): the comment's site decides."""
    site_of_comment = {c["id"]: c["site"] for c in document["comments"]}
    part: dict[str, Any] = {"email": document["email"], "generated_at": document["generated_at"]}
    part["sites"] = sorted(sites)
    for name, rows in document.items():
        if not isinstance(rows, list):
            continue
        if name in INSTALLATION_SOURCES:
            continue
        part[name] = [
            row
            for row in rows
            if (row["site"] if "site" in row else site_of_comment.get(row.get("comment_id")))
            in sites
        ]
    part["installation_only"] = sorted(INSTALLATION_SOURCES)
    return part


def has_data(document: dict[str, Any]) -> bool:
    return any(isinstance(v, list) and v for v in document.values())


def erase(email: str, *, delete: bool = False, now: datetime, by: str) -> Erasure:
    """Anonymize every comment by ``email``; with ``delete`` remove the texts too.

    Anonymized: author "Anonym", email, website, IP and avatar cleared (the avatar cannot be
    derived again, as it came from the email). With ``delete`` the text goes as well; a
    comment that anything hangs under stays as an empty placeholder so the replies keep their
    place, and the others are removed (``threads.removal``: the same rule as the purge's).
    """
    _checked(email)
    refuse_active_moderator(email)
    result = Erasure()
    # The other sources first: the outbox finds its mails by the comments' email.
    for source in OTHER_SOURCES:
        result.other += source.erase(email, delete)
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
            comment.held_for = ""
    db.session.flush()
    if delete:
        # Emptied now, each is a placeholder: the one rule decides which may go for good.
        asked = [c.id for c in comments]
        result.deleted = len(asked) - len(delete_for_good(asked).kept)
    result.anonymized = len(comments) - result.deleted
    details = {
        "anonymized": result.anonymized,
        "deleted": result.deleted,
        "other": result.other,
        "texts_removed": delete,
    }
    record_audit(AuditAction.PRIVACY_ERASE, details, by=by, now=now)
    db.session.flush()
    return result


def record_audit(
    action: AuditAction,
    details: dict[str, Any],
    *,
    by: str,
    now: datetime,
    site: str | None = None,
) -> None:
    """Note a data-subject request or a purge in the audit log: counts, no personal data.

    A ``ModerationEvent`` with no comment (the caller commits), shown to admins on the
    privacy page (commentsvc/audit.py says it in their language), and a line in the
    application log.
    """
    record_event(action, details, by=by, now=now, site=site)


PRIVACY_ACTIONS = (AuditAction.PRIVACY_EXPORT, AuditAction.PRIVACY_ERASE, AuditAction.PURGE)


def recent_audit(limit: int = 50, *, sites: Collection[str] | None = None) -> list[ModerationEvent]:
    """The latest privacy requests and purges, newest first; with ``sites``, those done in
    those sites' view only."""
    query = select(ModerationEvent).where(
        ModerationEvent.comment_id.is_(None), ModerationEvent.action.in_(PRIVACY_ACTIONS)
    )
    if sites is not None:
        query = query.where(ModerationEvent.site_id.in_(list(sites)))
    return list(
        db.session.execute(query.order_by(ModerationEvent.id.desc()).limit(limit)).scalars()
    )


def fill_missing_addresses() -> None:
    """Give rows restored from an export made before the normalized columns existed their
    normalized address, so export and erasure find them too (the caller commits)."""
    for column, source in (
        (Comment.address, Comment.email),
        (OutboxMail.recipient_address, OutboxMail.recipient),
        (Moderator.address, Moderator.email),
    ):
        values = db.session.execute(
            select(source).distinct().where(column == "", source != "")
        ).scalars()
        for value in list(values):
            db.session.execute(
                update(column.class_)
                .where(source == value, column == "")
                .values({column.key: normalize_address(value)})
                .execution_options(synchronize_session=False)
            )
    about = select(Comment.address).where(Comment.id == OutboxMail.comment_id).scalar_subquery()
    db.session.execute(
        update(OutboxMail)
        .where(OutboxMail.about_address == "", OutboxMail.comment_id.is_not(None))
        .values(about_address=func.coalesce(about, ""))
        .execution_options(synchronize_session=False)
    )
