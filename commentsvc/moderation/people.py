"""A person as the desk knows them, without accounts: everything of one normalized address on
the sites a moderator sees (comments, reports against them, decisions, bans), with rates, as
Coral's user drawer; and the moderators' standing decision about them on a site (trusted,
always held), which the policy reads (``threads.trust``).

Found by exact address only (``identity.normalize_address``), never by a part of it: the page
of ``anna@example.se`` never shows ``hanna@example.se``.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from commentsvc.audit import record_event
from commentsvc.extensions import db
from commentsvc.models.moderation import AuditAction, ModerationEvent
from commentsvc.models.people import Ban, PersonTrust, Trust
from commentsvc.models.reports import Report
from commentsvc.models.threads import Article, Comment, CommentStatus
from commentsvc.moderation.access import comments_on, events_on
from commentsvc.privacy.identity import normalize_address

PER_PAGE = 50


@dataclass
class Person:
    """One address as a moderator of ``sites`` sees it (None: every site)."""

    address: str
    comments: Pagination  # newest first
    counts: dict[str, int]  # per status, and "total"
    reports: list[Report]
    events: list[ModerationEvent]  # decisions on their comments and about them, newest first
    bans: list[Ban]
    # The moderators' decision on each site where the person is known (comments or a decision)
    trust: dict[str, Trust | None]

    @property
    def decided(self) -> int:
        """Comments a moderator or the policy decided: published, spam or trash."""
        return self.counts["approved"] + self.counts["spam"] + self.counts["trash"]

    @property
    def approval_rate(self) -> float | None:
        """Approved of decided (None: nothing decided yet)."""
        return self.counts["approved"] / self.decided if self.decided else None

    @property
    def rejection_rate(self) -> float | None:
        """Spam and trash of decided (None: nothing decided yet)."""
        return (self.counts["spam"] + self.counts["trash"]) / self.decided if self.decided else None


def _theirs(address: str, sites: Collection[str] | None):
    return [Comment.address == address, comments_on(sites)]


def person(
    address: str, *, sites: Collection[str] | None, page: int = 1, per_page: int = PER_PAGE
) -> Person:
    """The history of ``address`` (normalized) on ``sites`` (None: every site)."""
    conditions = _theirs(address, sites)
    counts = dict.fromkeys([s.value for s in CommentStatus], 0)
    for status, count in db.session.execute(
        select(Comment.status, func.count()).where(*conditions).group_by(Comment.status)
    ):
        counts[CommentStatus(status).value] = count
    counts["total"] = sum(counts.values())
    query = (
        select(Comment)
        .options(selectinload(Comment.article))
        .where(*conditions)
        .order_by(Comment.created_at.desc(), Comment.id.desc())
    )
    found = db.paginate(query, page=page, per_page=per_page, error_out=False)
    if found.pages and found.page > found.pages:
        found = db.paginate(query, page=found.pages, per_page=per_page, error_out=False)
    their_ids = select(Comment.id).where(*conditions)
    reports = list(
        db.session.execute(
            select(Report).where(Report.comment_id.in_(their_ids)).order_by(Report.id.desc())
        ).scalars()
    )
    return Person(
        address=address,
        comments=found,
        counts=counts,
        reports=reports,
        events=_events(address, sites, their_ids),
        bans=_bans(address, sites),
        trust=_trust(address, sites),
    )


def _events(address: str, sites: Collection[str] | None, their_ids) -> list[ModerationEvent]:
    """Decisions on their comments, and the trust decisions about them (the record names the
    address in its details), newest first."""
    on_comments = db.session.execute(
        select(ModerationEvent)
        .where(ModerationEvent.comment_id.in_(their_ids))
        .order_by(ModerationEvent.id.desc())
        .limit(500)
    ).scalars()
    about_them = [
        event
        for event in db.session.execute(
            select(ModerationEvent)
            .where(ModerationEvent.action == AuditAction.TRUST, events_on(sites))
            .order_by(ModerationEvent.id.desc())
        ).scalars()
        if isinstance(event.details, dict) and event.details.get("address") == address
    ]
    return sorted([*on_comments, *about_them], key=lambda e: e.id, reverse=True)


def _bans(address: str, sites: Collection[str] | None) -> list[Ban]:
    """The bans of the exact address, active and lifted, newest first."""
    query = select(Ban).where(Ban.address == address).order_by(Ban.created_at.desc(), Ban.id.desc())
    if sites is not None:
        query = query.where(Ban.site_id.in_(sorted(sites)))
    return list(db.session.execute(query).scalars())


def _trust(address: str, sites: Collection[str] | None) -> dict[str, Trust | None]:
    """The decision on each site where the person wrote or was decided about, by site."""
    known = set(
        db.session.execute(
            select(Article.site_id)
            .join(Comment, Comment.article_id == Article.id)
            .where(*_theirs(address, sites))
            .distinct()
        ).scalars()
    )
    decisions = select(PersonTrust).where(PersonTrust.address == address)
    if sites is not None:
        decisions = decisions.where(PersonTrust.site_id.in_(sorted(sites)))
    trust: dict[str, Trust | None] = dict.fromkeys(known)
    for row in db.session.execute(decisions).scalars():
        trust[row.site_id] = row.trust
    return dict(sorted(trust.items()))


def ban_state(ban: Ban, now: datetime) -> str:
    """ "active", "expired" or "lifted"."""
    if ban.lifted_at is not None:
        return "lifted"
    if ban.expires_at is not None and ban.expires_at <= now:
        return "expired"
    return "active"


def set_trust(address: str, site: str, trust: Trust | None, *, by: str, now: datetime) -> bool:
    """Mark the person of ``address`` (normalized) trusted or always held on ``site``, or back
    to the policy as for anyone (None); audited. False when nothing changed. The caller
    commits."""
    row = db.session.execute(
        select(PersonTrust).where(PersonTrust.site_id == site, PersonTrust.address == address)
    ).scalar_one_or_none()
    if (row.trust if row else None) == trust:
        return False
    if trust is None:
        db.session.delete(row)
    elif row is None:
        db.session.add(
            PersonTrust(site_id=site, address=address, trust=trust, decided_by=by, decided_at=now)
        )
    else:
        row.trust, row.decided_by, row.decided_at = trust, by, now
    record_event(
        AuditAction.TRUST,
        {"address": address, "trust": trust.value if trust else None},
        by=by,
        now=now,
        site=site,
    )
    db.session.flush()
    return True


# --- personal data: a person's export and erasure (gdpr.sources) ---------------------------


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def trust_find(email: str) -> list[dict[str, Any]]:
    """The moderators' decisions about the person, one per site."""
    rows = db.session.execute(
        select(PersonTrust)
        .where(PersonTrust.address == normalize_address(email))
        .order_by(PersonTrust.site_id)
    ).scalars()
    return [
        {
            "site": row.site_id,
            "trust": row.trust.value,
            "decided_by": row.decided_by,
            "decided_at": _when(row.decided_at),
        }
        for row in rows
    ]


def trust_erase(email: str, delete: bool) -> int:
    """The decisions go, and their audit records keep what was decided but no longer whom
    about: the address was the one piece of personal data in them."""
    address = normalize_address(email)
    if not address:
        return 0
    rows = list(
        db.session.execute(select(PersonTrust).where(PersonTrust.address == address)).scalars()
    )
    for row in rows:
        db.session.delete(row)
    for event in db.session.execute(
        select(ModerationEvent).where(ModerationEvent.action == AuditAction.TRUST)
    ).scalars():
        if isinstance(event.details, dict) and event.details.get("address") == address:
            event.details = {**event.details, "address": ""}
    return len(rows)
