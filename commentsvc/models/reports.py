"""Readers' reports of illegal content and the statements of reasons sent about them."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import (
    Mapped,
    mapped_column,
)

from commentsvc.extensions import db
from commentsvc.models.base import UTCDateTime, stored_enum, utcnow

# The site a report or a statement is about (the reported comment's): a plain id like the
# comment's number, so that a site's transparency figures outlive its purged comments.
_SITE = {"default": "default", "server_default": "default", "index": True}

# --- reader reports and notice-and-action (DSA art. 16, 17) ---


class ReportReason(enum.StrEnum):
    """Why a reader reports a comment; also the ground chosen when a moderator removes one."""

    ILLEGAL = "illegal"
    HARASSMENT = "harassment"
    SPAM = "spam"
    PERSONAL_DATA = "personal-data"
    OFF_TOPIC = "off-topic"
    OTHER = "other"


class ReportOutcome(enum.StrEnum):
    KEPT = "kept"  # the comment stays published; the report is dismissed
    REMOVED = "removed"  # the comment went to the trash after the report


class Report(db.Model):
    """One reader's report of one comment (a notice when the reason is ``illegal``).

    ``comment_id`` is a plain number, as in the audit log, so that the counts the
    transparency report needs outlive a purged comment. ``purge`` clears the personal
    columns (name, addresses, explanation, reporter) of reports decided long ago; the
    reason, times and outcome stay.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(index=True)
    site_id: Mapped[str] = mapped_column(String(32), **_SITE)
    reason: Mapped[ReportReason] = mapped_column(stored_enum(ReportReason))
    explanation: Mapped[str] = mapped_column(Text, default="")
    name: Mapped[str] = mapped_column(String(245), default="")
    email: Mapped[str] = mapped_column(String(254), default="")  # as typed, for mail
    address: Mapped[str] = mapped_column(String(254), default="", index=True)  # normalized
    # A keyed hash of the reporter's browser (a random id in their session or storage): one
    # browser counts once per comment without the service storing anything it could follow.
    # The column is named a token so that `export` leaves it out (moving/backup.SECRET_COLUMNS):
    # it links one browser's reports to each other, which a backup copy need not show.
    reporter: Mapped[str] = mapped_column("reporter_token", String(64), default="")
    good_faith: Mapped[bool] = mapped_column(default=False)
    lang: Mapped[str] = mapped_column(String(8), default="sv")  # the notifier's language
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(200))
    outcome: Mapped[ReportOutcome | None] = mapped_column(stored_enum(ReportOutcome))
    # The ground a moderator chose when removing the comment (one of ReportReason).
    decision_reason: Mapped[str | None] = mapped_column(String(16))
    purged: Mapped[bool] = mapped_column(default=False)
    # The reporter's network (the anonymized address) as a keyed hash, its key changed every
    # day (reports.trust): reports of one day match, rows of different days cannot be joined.
    network: Mapped[str] = mapped_column(String(32), default="", info={"secret": True})
    # The first open report on the same comment from the same network (None: this one is):
    # what makes the readers who hold a comment independent of each other.
    network_of: Mapped[int | None] = mapped_column()
    # When the notifier proved their address by the receipt's one-time link (tokens.REPORT).
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    receipt_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_report_open", "decided_at", "comment_id"),)


class StatementOfReasons(db.Model):
    """What the author of a removed comment is told (DSA art. 17), kept for the moderators."""

    id: Mapped[int] = mapped_column(primary_key=True)
    # The removed comment; None for a ban with no comment behind it (then ban_id).
    comment_id: Mapped[int | None] = mapped_column(index=True)
    # A ban is a decision too (DSA art. 17 covers suspensions): its statement names it.
    ban_id: Mapped[int | None] = mapped_column()
    site_id: Mapped[str] = mapped_column(String(32), **_SITE)
    recipient: Mapped[str] = mapped_column(String(254), default="")  # "" when none was given
    address: Mapped[str] = mapped_column(String(254), default="", index=True)  # normalized
    reason: Mapped[str] = mapped_column(String(16))  # one of ReportReason
    ground: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
