"""Where a person's data lies besides their comments: the outbox, moderator accounts,
login throttles and the earlier texts kept for undo; each found and erased by exact address."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select, update

from commentsvc import tokens
from commentsvc.dates import local_day, zone_of
from commentsvc.extensions import db
from commentsvc.models.mail import Notification, OutboxMail
from commentsvc.models.moderation import (
    AuditAction,
    LoginThrottle,
    ModerationEvent,
    Moderator,
)
from commentsvc.models.people import Ban
from commentsvc.models.sites import DEFAULT_SITE
from commentsvc.models.threads import Comment, PendingEdit
from commentsvc.moderation import people
from commentsvc.notify import personal_data as subscriber_data
from commentsvc.privacy.identity import normalize_address
from commentsvc.reports.personal_data import (
    erase_reports,
    erase_statements,
    find_reports,
    find_statements,
)


@dataclass(frozen=True)
class PersonalDataSource:
    """Another table that holds data about an email (subscriptions, outbox…).

    ``find(email)`` returns its rows as JSON-ready dicts; ``erase(email, delete)`` removes
    or anonymizes them and returns how many rows it touched.
    """

    name: str
    find: Callable[[str], list[dict[str, Any]]]
    erase: Callable[[str, bool], int]


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _outbox_about(email: str):
    """Mails about this person's comments, about them, or sent to them: exact addresses."""
    address = normalize_address(email)
    theirs = select(Comment.id).where(_by_email(email)).scalar_subquery()
    # Readers' notification mails quote several comments: each notification names its mail.
    quoting = select(Notification.mail_id).where(
        Notification.comment_id.in_(theirs), Notification.mail_id.is_not(None)
    )
    return or_(
        OutboxMail.comment_id.in_(theirs),
        OutboxMail.about_address == address,
        OutboxMail.recipient_address == address,
        OutboxMail.id.in_(quoting),
    )


def _outbox_find(email: str) -> list[dict[str, Any]]:
    """The person's own mails whole; a mail to someone else that quotes or concerns them only
    as a line: its kind and date, never its recipient, body or links (they are the other
    person's data, and a link in them may still work)."""
    address = normalize_address(email)
    mails = db.session.execute(
        select(OutboxMail).where(_outbox_about(email)).order_by(OutboxMail.id)
    ).scalars()
    found = []
    for m in mails:
        if m.recipient_address == address:
            found.append(
                {
                    "id": m.id,
                    "site": m.site_id or DEFAULT_SITE,
                    "recipient": m.recipient,
                    "subject": m.subject,
                    "body": m.body,
                    "comment_id": m.comment_id,
                    "created_at": _when(m.created_at),
                    "sent_at": _when(m.sent_at),
                }
            )
        else:
            found.append(_to_someone_else(m, email))
    return found


# How a mail to someone else is named in an export, by its kind (notify.mail.MAILS).
_OTHERS_MAILS = {
    "notification": _l("Your comment was quoted in a notification to another reader on %(date)s."),
    "comment_held": _l("Your comment was sent to the moderators for review on %(date)s."),
}
_OTHER_MAIL = _l("A mail to another person concerned your comment on %(date)s.")


def _to_someone_else(mail: OutboxMail, email: str) -> dict[str, Any]:
    """A line about a mail to another person: which of the person's comments it concerned."""
    theirs = select(Comment.id).where(_by_email(email))
    quoted = db.session.execute(
        select(Notification.comment_id)
        .where(Notification.mail_id == mail.id, Notification.comment_id.in_(theirs))
        .order_by(Notification.comment_id)
    ).scalars()
    comments = sorted({*quoted, *([mail.comment_id] if mail.comment_id else [])})
    note = _OTHERS_MAILS.get(mail.kind, _OTHER_MAIL)
    zone = zone_of(mail.site_id or DEFAULT_SITE)
    return {
        "id": mail.id,
        "site": mail.site_id or DEFAULT_SITE,
        "kind": mail.kind or "other",
        "comment_id": mail.comment_id,
        "comment_ids": comments,
        "created_at": _when(mail.created_at),
        "sent_at": _when(mail.sent_at),
        # The day on the site's clocks: late in the evening is not yet tomorrow's UTC date.
        "note": str(note) % {"date": format_date(local_day(mail.created_at, zone))},
    }


def _outbox_erase(email: str, delete: bool) -> int:
    """Remove them, sent or not: an unsent one must never deliver the erased name or text,
    and a sent one is only the copy of a notice, which the queue shows anyway."""
    mails = list(db.session.execute(select(OutboxMail).where(_outbox_about(email))).scalars())
    for mail in mails:
        db.session.delete(mail)
    return len(mails)


def _moderators(email: str):
    address = normalize_address(email)
    return or_(Moderator.address == address, func.lower(Moderator.username) == address)


def _moderator_find(email: str) -> list[dict[str, Any]]:
    found = db.session.execute(
        select(Moderator).where(_moderators(email)).order_by(Moderator.id)
    ).scalars()
    return [
        {  # never the password hash
            "username": m.username,
            "display_name": m.display_name,
            "email": m.email,
            "role": m.role.value,
            "active": m.active,
            "notify": m.notify,
            "created_at": _when(m.created_at),
        }
        for m in found
    ]


def _moderator_erase(email: str, delete: bool) -> int:
    """A disabled account keeps its place in the history under a neutral name; its email,
    name and mail setting go. (An active account was refused before anything changed.)"""
    accounts = list(db.session.execute(select(Moderator).where(_moderators(email))).scalars())
    for account in accounts:
        if normalize_address(account.username) == normalize_address(email):
            old, new = account.username, f"erased-moderator-{account.id}"
            account.username = new
            for column in (ModerationEvent.actor, Comment.decided_by):
                db.session.execute(
                    update(column.class_)
                    .where(column == old)
                    .values({column.key: new})
                    .execution_options(synchronize_session=False)
                )
        account.email = ""
        account.display_name = ""
        account.notify = False
    return len(accounts)


def _throttles(email: str):
    """Failed logins typed with this email as the user name (``pair:<name>|<address>``)."""
    prefix = "pair:" + normalize_address(email).replace("\\", "\\\\").replace("%", "\\%")
    prefix = prefix.replace("_", "\\_")
    return func.lower(LoginThrottle.key).like(prefix + "|%", escape="\\")


def _throttle_find(email: str) -> list[dict[str, Any]]:
    rows = db.session.execute(select(LoginThrottle).where(_throttles(email))).scalars()
    return [
        {
            "address": row.key.rsplit("|", 1)[-1],
            "failures": row.failures,
            "last_failure_at": _when(row.last_failure_at),
            "locked_until": _when(row.locked_until),
        }
        for row in rows
    ]


def _throttle_erase(email: str, delete: bool) -> int:
    rows = list(db.session.execute(select(LoginThrottle).where(_throttles(email))).scalars())
    for row in rows:
        db.session.delete(row)
    return len(rows)


def _by_email(email: str):
    return Comment.address == normalize_address(email)


def _edits_of(email: str):
    """The audit records of edits to this person's comments: each keeps the text before it."""
    theirs = select(Comment.id).where(_by_email(email)).scalar_subquery()
    # An approved author's edit keeps the text before it like a moderator's edit does.
    edits = ModerationEvent.action.in_((AuditAction.EDIT, AuditAction.EDIT_APPROVED))
    return edits & ModerationEvent.comment_id.in_(theirs)


def _versions_find(email: str) -> list[dict[str, Any]]:
    events = db.session.execute(
        select(ModerationEvent).where(_edits_of(email)).order_by(ModerationEvent.id)
    ).scalars()
    return [
        {
            "comment_id": e.comment_id,
            "text_before_edit": e.details["text"],
            "edited_at": _when(e.created_at),
            "edited_by": e.actor,
        }
        for e in events
        if e.details.get("text")
    ]


def _versions_erase(email: str, delete: bool) -> int:
    """The earlier texts go in every erasure: the comment is anonymized, but an earlier
    version may still name the person (a moderator edits out a phone number and a name)."""
    events = list(db.session.execute(select(ModerationEvent).where(_edits_of(email))).scalars())
    for event in events:
        # Nothing left to go back to: the edit can no longer be undone.
        event.details, event.undone = {}, True
    return len(events)


def _links_find(email: str) -> list[dict[str, Any]]:
    """The links issued to the person: what each is for and when, never the token (only its
    digest is stored, and the export is no place for a working link)."""
    return [
        {
            "purpose": t.purpose.value,
            "created_at": _when(t.created_at),
            "expires_at": _when(t.expires_at),
            "used_at": _when(t.used_at),
        }
        for t in tokens.held_by(normalize_address(email))
    ]


def _links_erase(email: str, delete: bool) -> int:
    """Every link mailed or shown to the person dies: confirm, unsubscribe, edit."""
    return tokens.erase(normalize_address(email))


def _their_revisions(email: str):
    theirs = select(Comment.id).where(_by_email(email)).scalar_subquery()
    return PendingEdit.comment_id.in_(theirs)


def _revisions_find(email: str) -> list[dict[str, Any]]:
    """Their edits of approved comments that wait for a moderator."""
    rows = db.session.execute(
        select(PendingEdit).where(_their_revisions(email)).order_by(PendingEdit.id)
    ).scalars()
    return [
        {"comment_id": r.comment_id, "text": r.text, "submitted_at": _when(r.created_at)}
        for r in rows
    ]


def _revisions_erase(email: str, delete: bool) -> int:
    """A waiting edit is the person's words: it goes in every erasure, never to be published."""
    rows = list(db.session.execute(select(PendingEdit).where(_their_revisions(email))).scalars())
    for row in rows:
        db.session.delete(row)
    return len(rows)


def _bans_of(email: str):
    return Ban.address == normalize_address(email)


def _bans_find(email: str) -> list[dict[str, Any]]:
    """The bans on the person's address, on every site, lifted and ended ones too."""
    rows = db.session.execute(select(Ban).where(_bans_of(email)).order_by(Ban.id)).scalars()
    return [
        {
            "id": b.id,
            "site": b.site_id,
            "address": b.address,
            "reason": b.reason,
            "note": b.note,
            "comment_id": b.comment_id,
            "created_by": b.created_by,
            "created_at": _when(b.created_at),
            "expires_at": _when(b.expires_at),
            "lifted_by": b.lifted_by,
            "lifted_at": _when(b.lifted_at),
        }
        for b in rows
    ]


def _bans_erase(email: str, delete: bool) -> int:
    """The bans on the address go: a ban is kept by the address alone, and an erased address
    is no longer stored anywhere (its statement of reasons loses it too). The audit log keeps
    that a ban was made, by its number, never the address."""
    rows = list(db.session.execute(select(Ban).where(_bans_of(email))).scalars())
    for row in rows:
        db.session.delete(row)
    return len(rows)


# What belongs to the installation, not to one site: a site's view of a person leaves it out.
INSTALLATION_SOURCES = frozenset({"moderator_accounts", "failed_logins", "links"})

OTHER_SOURCES: tuple[PersonalDataSource, ...] = (
    PersonalDataSource("earlier_versions", _versions_find, _versions_erase),
    PersonalDataSource("edits_waiting_for_review", _revisions_find, _revisions_erase),
    # Before the outbox: it takes back unsent notification mails that quote the person's
    # comments and lets the others' comments in them go out with the next batch.
    PersonalDataSource(
        "subscriptions",
        subscriber_data.personal_data,
        subscriber_data.erase_personal_data,
    ),
    PersonalDataSource("reports", find_reports, erase_reports),
    PersonalDataSource("statements_of_reasons", find_statements, erase_statements),
    PersonalDataSource("trust", people.trust_find, people.trust_erase),
    PersonalDataSource("bans", _bans_find, _bans_erase),
    PersonalDataSource("outbox_mails", _outbox_find, _outbox_erase),
    PersonalDataSource("moderator_accounts", _moderator_find, _moderator_erase),
    PersonalDataSource("failed_logins", _throttle_find, _throttle_erase),
    PersonalDataSource("links", _links_find, _links_erase),
)
