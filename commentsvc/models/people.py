"""People as the desk knows them, without accounts: a commenter is their normalized address
(``identity.normalize_address``), per site. What moderators decide about a person (trusted,
always held) and the bans on an address or a network live here."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from commentsvc.extensions import db
from commentsvc.models.base import UTCDateTime, stored_enum, utcnow
from commentsvc.models.sites import DEFAULT_SITE


class Trust(enum.StrEnum):
    TRUSTED = "trusted"  # published without the first-time hold
    HELD = "held"  # every comment waits for a moderator


class PersonTrust(db.Model):
    """A moderator's standing decision about one commenter on one site (absent: the policy
    decides as for anyone)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[str] = mapped_column(
        ForeignKey("site.id", ondelete="CASCADE"), default=DEFAULT_SITE
    )
    address: Mapped[str] = mapped_column(String(254))  # normalized
    trust: Mapped[Trust] = mapped_column(stored_enum(Trust))
    decided_by: Mapped[str] = mapped_column(String(200))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_person_trust_site_address", "site_id", "address", unique=True),)


class Ban(db.Model):
    """A ban on one site: of an exact (normalized) address, or of a network (CIDR, as
    ``192.0.2.0/24``); exactly one of the two is set. Until ``expires_at`` (None: until
    lifted); a lifted ban stays, as the record of a decision."""

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[str] = mapped_column(
        ForeignKey("site.id", ondelete="CASCADE"), default=DEFAULT_SITE
    )
    address: Mapped[str] = mapped_column(String(254), default="", index=True)
    network: Mapped[str] = mapped_column(String(64), default="")
    reason: Mapped[str] = mapped_column(String(16))  # a ReportReason value, as decisions
    note: Mapped[str] = mapped_column(Text, default="")  # the moderator's own words
    # The comment that led to it, if any (a plain number: the ban outlives the comment).
    comment_id: Mapped[int | None] = mapped_column()
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lifted_by: Mapped[str | None] = mapped_column(String(200))
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_ban_site_lifted", "site_id", "lifted_at"),)
