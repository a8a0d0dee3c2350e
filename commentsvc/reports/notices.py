"""Readers' reports of illegal content (notice and action): filing, and the moderators' tab.
Each step is announced (``commentsvc.lifecycle``); ``notify`` writes the mails that follow."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from commentsvc import lifecycle
from commentsvc import tokens as link_tokens
from commentsvc.errors import CommentNotFound, DomainError
from commentsvc.extensions import db
from commentsvc.models.reports import Report, ReportReason, StatementOfReasons
from commentsvc.models.threads import Comment, CommentStatus
from commentsvc.models.tokens import LinkToken, TokenPurpose
from commentsvc.moderation.access import comment_ids_on
from commentsvc.moderation.reported import hold_after_reports
from commentsvc.privacy.identity import normalize_address
from commentsvc.reports import trust
from commentsvc.reports.rules import REPORTS_ACTOR, reports_to_hold
from commentsvc.setting_specs import LANGUAGES
from commentsvc.sites import config_for
from commentsvc.threads.shapes import can_report


class ReportRefused(DomainError):
    """A report the rules do not take: this reader has already reported the comment."""

    status = 409
    code = "report_refused"


@dataclass(frozen=True)
class NewReport:
    """The checked fields of a report, as the form and the API give them."""

    reason: ReportReason
    explanation: str = ""
    name: str = ""
    email: str = ""
    good_faith: bool = False


def reporter_key(browser_id: str) -> str:
    """A keyed hash of the reporter's browser id: equal ids match, nothing can be traced back."""
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, f"reporter:{browser_id}".encode(), hashlib.sha256).hexdigest()[:32]


def reportable(comment_id: int) -> Comment:
    """The comment, when readers may report it: published and not removed.

    A comment that is not public answers exactly as a missing one: the report routes are open
    to anyone, and a different answer would let a stranger find which ids wait for review or
    were removed.
    """
    comment = db.session.get(Comment, comment_id)
    if comment is None or not can_report(comment):
        raise CommentNotFound(_l("There is no comment %(id)s.", id=comment_id))
    return comment


def file_report(
    comment_id: int, new: NewReport, *, reporter: str, network: str, lang: str, now: datetime
) -> Report:
    """Store a report, announce it (``notify`` sends the notifier a receipt with the link that
    confirms their address), and hold the comment when enough independent readers report it.

    ``reporter`` is the keyed hash of the reader's browser: one browser, and one confirmed
    address, count once per comment until a moderator decides. ``network`` is the reader's
    anonymized address: what counts towards holding the comment (``reports.trust``).
    """
    comment = reportable(comment_id)
    address = normalize_address(new.email)
    trust.one_at_a_time(f"report:{comment.id}")
    _refuse_repeat(comment.id, reporter, address)
    site_id = comment.article.site_id
    report = Report(
        comment_id=comment.id,
        site_id=site_id,
        reason=new.reason,
        explanation=new.explanation,
        name=new.name,
        email=new.email,
        address=address,
        reporter=reporter,
        good_faith=new.good_faith,
        lang=lang if lang in LANGUAGES else config_for(site_id)["LANGUAGE"],
        created_at=now,
        network=trust.network_hash(network, now.date()),
    )
    db.session.add(report)
    # Written before the earlier reports are read: the write (with one_at_a_time on
    # PostgreSQL) makes reports on one comment wait for each other, so each sees the others
    # and a burst of requests from one network still counts as one reader.
    db.session.flush()
    token = ""
    if address:  # the receipt's one-time link that confirms the notifier's address
        token = link_tokens.issue(
            TokenPurpose.REPORT,
            address=address,
            subject_id=report.id,
            now=now,
            lifetime=timedelta(days=trust.CONFIRM_LINK_DAYS),
        )
    earlier = [r for r in open_reports(comment.id) if r.id != report.id]
    first = trust.same_network(network, earlier)
    report.network_of = (first.network_of or first.id) if first else None
    db.session.flush()
    lifecycle.report_filed.send(report, comment=comment, confirm_token=token, now=now)
    _hold_if_many(comment, now)
    return report


def _refuse_repeat(comment_id: int, reporter: str, address: str) -> None:
    same = [Report.reporter == reporter]
    if address:
        # Only an address its owner has confirmed: anyone can type someone else's address,
        # and that must never keep its owner from reporting.
        same.append((Report.address == address) & Report.confirmed_at.is_not(None))
    found = db.session.execute(
        select(Report.id)
        .where(Report.comment_id == comment_id, Report.decided_at.is_(None), or_(*same))
        .limit(1)
    ).first()
    if found is not None:
        raise ReportRefused(
            _l(
                "You have already reported this comment. Thank you: a moderator will look at it; "
                "one report from each reader is enough."
            )
        )


def open_reports(comment_id: int) -> list[Report]:
    """The reports on a comment that no moderator has decided yet, oldest first."""
    return list(
        db.session.execute(
            select(Report)
            .where(Report.comment_id == comment_id, Report.decided_at.is_(None))
            .order_by(Report.id)
        ).scalars()
    )


def _hold_if_many(comment: Comment, now: datetime) -> None:
    """Enough independent readers: hide the comment until a moderator decides, say why, and
    call the moderators as for a held new comment (the same mail, through the outbox)."""
    limit = reports_to_hold(comment.article.site_id)
    if not limit or comment.status != CommentStatus.APPROVED:
        return
    readers = trust.independent_readers(open_reports(comment.id))
    if not readers.hold(limit):
        return
    hold_after_reports(
        comment.id,
        readers.networks,
        by=REPORTS_ACTOR,
        now=now,
        limit=limit,
    )


# --- the notifier confirms their address ---------------------------------------------------


class ReportLinkGone(DomainError):
    """A confirmation link that is damaged, used, expired, or whose report was decided."""

    status = 410
    code = "link_gone"


def _confirming(token: str | None, now: datetime) -> tuple[Report, LinkToken]:
    """The report a receipt's link confirms and the link's row, or why it cannot."""
    row = link_tokens.find(TokenPurpose.REPORT, token)
    report = None
    if row is not None and link_tokens.is_current(row, now):
        report = db.session.get(Report, row.subject_id)
    if report is None or report.decided_at is not None:
        raise ReportLinkGone(
            _l(
                "This link no longer confirms a report: it has been used, a moderator has "
                "decided, or it is older than %(days)s days. Nothing more is needed.",
                days=trust.CONFIRM_LINK_DAYS,
            )
        )
    return report, row


def report_to_confirm(token: str | None, *, now: datetime) -> Report:
    """The report a receipt's link confirms, or why it cannot."""
    return _confirming(token, now)[0]


def confirm_report(token: str | None, *, now: datetime) -> Report:
    """The notifier proved their address: the report weighs more, a comment it tips is held,
    and the decision will be mailed to them. The link is spent."""
    report, row = _confirming(token, now)
    report.confirmed_at = row.used_at = now
    db.session.flush()
    comment = db.session.get(Comment, report.comment_id)
    if comment is not None:
        _hold_if_many(comment, now)
    return report


# --- the moderators' tab "Anmälningar" ----------------------------------------------------


@dataclass
class ReportedComment:
    comment: Comment
    reports: list[Report]
    statements: list[StatementOfReasons] = field(default_factory=list)


def reported_comments(
    limit: int = 50, *, sites: Collection[str] | None = None
) -> list[ReportedComment]:
    """Comments with undecided reports, the most reported first (then the oldest report); only
    comments of ``sites`` (None: every site)."""
    counted = db.session.execute(
        select(Report.comment_id, func.count(Report.id), func.min(Report.created_at))
        .join(Comment, Comment.id == Report.comment_id)
        .where(Report.decided_at.is_(None), comment_ids_on(sites, Report.comment_id))
        .group_by(Report.comment_id)
        .order_by(func.count(Report.id).desc(), func.min(Report.created_at))
        .limit(limit)
    ).all()
    ids = [row[0] for row in counted]
    if not ids:
        return []
    found = {
        c.id: c for c in db.session.execute(select(Comment).where(Comment.id.in_(ids))).scalars()
    }
    by_comment: dict[int, list[Report]] = {i: [] for i in ids}
    for report in db.session.execute(
        select(Report)
        .where(Report.comment_id.in_(ids), Report.decided_at.is_(None))
        .order_by(Report.id)
    ).scalars():
        by_comment[report.comment_id].append(report)
    return [ReportedComment(found[i], by_comment[i]) for i in ids]


def open_report_total(*, sites: Collection[str] | None = None) -> int:
    """How many comments (of ``sites``) wait in the tab."""
    return db.session.execute(
        select(func.count(func.distinct(Report.comment_id)))
        .join(Comment, Comment.id == Report.comment_id)
        .where(Report.decided_at.is_(None), comment_ids_on(sites, Report.comment_id))
    ).scalar_one()


def statements_for(comment_id: int) -> list[StatementOfReasons]:
    return list(
        db.session.execute(
            select(StatementOfReasons)
            .where(StatementOfReasons.comment_id == comment_id)
            .order_by(StatementOfReasons.id)
        ).scalars()
    )


def recent_statements(
    limit: int = 20, *, sites: Collection[str] | None = None
) -> list[StatementOfReasons]:
    """The latest statements of reasons about removed comments (of ``sites``), newest first,
    for the moderators to read; those about bans are on the bans' page."""
    return list(
        db.session.execute(
            select(StatementOfReasons)
            .where(
                comment_ids_on(sites, StatementOfReasons.comment_id),
                StatementOfReasons.ban_id.is_(None),
            )
            .order_by(StatementOfReasons.id.desc())
            .limit(limit)
        ).scalars()
    )
