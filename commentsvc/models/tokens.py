"""Opaque link tokens: what a mailed or shared link proves, kept here, never in the link."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from commentsvc.extensions import db
from commentsvc.models.base import UTCDateTime, stored_enum, utcnow


class TokenPurpose(enum.StrEnum):
    CONFIRM = "confirm"  # a reader confirms their address for notifications (double opt-in)
    UNSUBSCRIBE = "unsubscribe"  # stops an address's notifications, of one thread or all
    EDIT = "edit"  # the author's proof of their own comment (edit window, own pending view)
    REPORT = "report"  # a notifier proves the address named in their report (subject: the report)
    PROOF_OF_WORK = "proof-of-work"  # a spent challenge (threads/proofofwork.py), kept to expiry


class LinkToken(db.Model):
    """One token handed out: the link carries only random bytes; this row says what they prove.

    Only the token's SHA-256 is stored, so a copy of the database (or of an export made
    ``--with-secrets``) holds no working link. A row restored without secrets has no digest
    and matches nothing. ``address`` (normalized) is whose token it is: an erasure deletes
    the person's tokens, and their links die with them.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    token_digest: Mapped[str | None] = mapped_column(String(64), unique=True)
    purpose: Mapped[TokenPurpose] = mapped_column(stored_enum(TokenPurpose))
    address: Mapped[str] = mapped_column(String(254), default="", server_default="")
    # What the token is about: the article (unsubscribe), the comment (edit), or none.
    subject_id: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # None: no end
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # a one-time token, spent

    __table_args__ = (
        Index("ix_link_token_address", "address", "purpose"),
        Index("ix_link_token_subject", "purpose", "subject_id"),
        Index("ix_link_token_expires", "expires_at"),
    )
