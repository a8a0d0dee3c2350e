"""Readers' reports of illegal content (notice and action): filing, the moderators'
decisions, and the mails and statements of reasons that follow."""

from __future__ import annotations

import hashlib
import hmac
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from commentsvc.errors import CommentNotFound, DomainError
from commentsvc.extensions import db
from commentsvc.models import (
    Comment,
    CommentStatus,
    OutboxMail,
    Report,
    ReportOutcome,
    ReportReason,
    StatementOfReasons,
)
from commentsvc.moderation.actions import (
    REPORT_HOLD,
    REPORTS_KEPT,
    ModerationRefused,
    hold_after_reports,
    keep_reported,
    trash,
)
from commentsvc.privacy.identity import normalize_address
from commentsvc.threads.policy import reason_codes
from commentsvc.weburls import public_url, safe_href

GROUND_MAX = 2000  # the moderator's ground for a removal
HOLD_ACTION = REPORT_HOLD  # the audit log's name for a comment held by readers' reports
KEEP_ACTION = REPORTS_KEPT
REPORTS_ACTOR = "reports"

REASON_LABELS = {
    ReportReason.ILLEGAL: _l("Illegal content"),
    ReportReason.HARASSMENT: _l("Harassment or threats"),
    ReportReason.SPAM: _l("Spam or advertising"),
    ReportReason.PERSONAL_DATA: _l("Personal data about someone"),
    ReportReason.OFF_TOPIC: _l("Off topic"),
    ReportReason.OTHER: _l("Something else"),
}


def reason_label(code: str | None) -> str:
    """A reason code as words in the current language."""
    try:
        return str(REASON_LABELS[ReportReason(code)])
    except ValueError:
        return code or ""


class ReportRefused(DomainError):
    """A report the rules do not take: the comment is not published, or already reported."""

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


def reports_to_hold() -> int:
    """How many different readers' reports hold a published comment (0: never)."""
    return current_app.config["REPORTS_TO_HOLD"]


def dsa_contact() -> str:
    """Where people write about reports and decisions: DSA_CONTACT, else the mail sender."""
    config = current_app.config
    return config["DSA_CONTACT"] or config["MAIL_FROM"]


def reporter_key(browser_id: str) -> str:
    """A keyed hash of the reporter's browser id: equal ids match, nothing can be traced back."""
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, f"reporter:{browser_id}".encode(), hashlib.sha256).hexdigest()[:32]


def reportable(comment_id: int) -> Comment:
    """The comment, when readers may report it: published and not removed."""
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        raise CommentNotFound(_l("There is no comment %(id)s.", id=comment_id))
    if comment.status != CommentStatus.APPROVED or not comment.html:
        raise ReportRefused(
            _l(
                "This comment is not published (it waits for review or has been removed), "
                "so it cannot be reported. A moderator already decides about it."
            )
        )
    return comment


def file_report(
    comment_id: int, new: NewReport, *, reporter: str, lang: str, now: datetime
) -> Report:
    """Store a report, acknowledge it by mail, and hold the comment when enough readers report it.

    ``reporter`` is the keyed hash of the reader's browser: one browser, and one email
    address, count once per comment until a moderator decides.
    """
    comment = reportable(comment_id)
    address = normalize_address(new.email)
    _refuse_repeat(comment.id, reporter, address)
    report = Report(
        comment_id=comment.id,
        reason=new.reason,
        explanation=new.explanation,
        name=new.name,
        email=new.email,
        address=address,
        reporter=reporter,
        good_faith=new.good_faith,
        lang=lang if lang in ("sv", "en") else current_app.config["LANGUAGE"],
        created_at=now,
    )
    db.session.add(report)
    db.session.flush()
    if report.email:
        _acknowledge(report, comment, now)
    _hold_if_many(comment, now)
    return report


def _refuse_repeat(comment_id: int, reporter: str, address: str) -> None:
    same = [Report.reporter == reporter]
    if address:
        same.append(Report.address == address)
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
    """Enough different readers: hide the comment until a moderator decides, say why, and
    call the moderators as for a held new comment (the same mail, through the outbox)."""
    limit = reports_to_hold()
    if not limit or comment.status != CommentStatus.APPROVED:
        return
    count = len(open_reports(comment.id))
    if count < limit:
        return
    hold_after_reports(
        comment.id,
        count,
        by=REPORTS_ACTOR,
        now=now,
        detail=f"{count} readers reported it (REPORTS_TO_HOLD = {limit})",
    )


# --- the moderators' tab "Anmälningar" ----------------------------------------------------


@dataclass
class ReportedComment:
    comment: Comment
    reports: list[Report]
    statements: list[StatementOfReasons] = field(default_factory=list)


def reported_comments(limit: int = 50) -> list[ReportedComment]:
    """Comments with undecided reports, the most reported first (then the oldest report)."""
    counted = db.session.execute(
        select(Report.comment_id, func.count(Report.id), func.min(Report.created_at))
        .join(Comment, Comment.id == Report.comment_id)
        .where(Report.decided_at.is_(None))
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


def open_report_total() -> int:
    """How many comments wait in the tab."""
    return db.session.execute(
        select(func.count(func.distinct(Report.comment_id)))
        .join(Comment, Comment.id == Report.comment_id)
        .where(Report.decided_at.is_(None))
    ).scalar_one()


def statements_for(comment_id: int) -> list[StatementOfReasons]:
    return list(
        db.session.execute(
            select(StatementOfReasons)
            .where(StatementOfReasons.comment_id == comment_id)
            .order_by(StatementOfReasons.id)
        ).scalars()
    )


def recent_statements(limit: int = 20) -> list[StatementOfReasons]:
    """The latest statements of reasons, newest first, for the moderators to read."""
    return list(
        db.session.execute(
            select(StatementOfReasons).order_by(StatementOfReasons.id.desc()).limit(limit)
        ).scalars()
    )


def _comment_with_reports(comment_id: int) -> tuple[Comment, list[Report]]:
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        raise CommentNotFound(_l("There is no comment %(id)s.", id=comment_id))
    reports = open_reports(comment.id)
    if not reports:
        raise ModerationRefused(
            _l("Comment %(id)s has no open reports: someone has decided already.", id=comment_id)
        )
    return comment, reports


def _held_by_reports(comment: Comment) -> bool:
    return any(code.startswith("reports:") for code in reason_codes(comment))


def keep(comment_id: int, *, by: str, now: datetime) -> Comment:
    """The comment stays: its reports are dismissed, and a comment they held is published again."""
    comment, reports = _comment_with_reports(comment_id)
    keep_reported(comment.id, dismissed=len(reports), by=by, now=now)
    for report in reports:
        report.decided_at, report.decided_by, report.outcome = now, by, ReportOutcome.KEPT
        _tell_decision(report, comment, now)
    db.session.flush()
    return comment


def check_ground(reason: str, ground: str) -> tuple[ReportReason, str]:
    """A removal needs one reason from the list and a ground in words."""
    try:
        chosen = ReportReason(reason)
    except ValueError as error:
        raise DomainError(_l("Choose one of the reasons in the list."), field="reason") from error
    ground = (ground or "").replace("\x00", "").strip()
    if not ground:
        raise DomainError(
            _l(
                "Write the ground: which law or which rule of the site the comment breaks, and how."
            ),
            field="ground",
        )
    if len(ground) > GROUND_MAX:
        raise DomainError(
            _l("The ground can be at most %(limit)s characters; it has %(length)s.")
            % {"limit": GROUND_MAX, "length": len(ground)},
            field="ground",
        )
    return chosen, ground


def remove(
    comment_id: int, *, reason: str, ground: str, by: str, now: datetime
) -> StatementOfReasons:
    """Trash a reported comment on a ground; tell the notifiers and give the author a statement."""
    chosen, ground = check_ground(reason, ground)
    comment, reports = _comment_with_reports(comment_id)
    auto_held = _held_by_reports(comment)
    # A move to the trash like any other, so that restore and undo treat it alike; first, so
    # that the moderators' mails about the waiting comment are withdrawn before the
    # statement (tied to the comment too) is written.
    trash(
        comment.id,
        by=by,
        now=now,
        detail=f"removed after {len(reports)} reports: {chosen.value}",
    )
    for report in reports:
        report.decided_at, report.decided_by = now, by
        report.outcome, report.decision_reason = ReportOutcome.REMOVED, chosen.value
    statement = StatementOfReasons(
        comment_id=comment.id,
        recipient=comment.email,
        address=normalize_address(comment.email),
        reason=chosen.value,
        ground=ground,
        decided_by=by,
        created_at=now,
    )
    with force_locale(current_app.config["LANGUAGE"]):
        subject, statement.body = _statement_text(comment, reports, statement, auto_held)
    db.session.add(statement)
    db.session.flush()
    if comment.email:
        db.session.add(
            OutboxMail.due_now(
                comment.email,
                subject,
                statement.body,
                now=now,
                comment_id=comment.id,
                about_address=comment.address,
            )
        )
    for report in reports:
        _tell_decision(report, comment, now)
    return statement


# --- mail -------------------------------------------------------------------------------


def _comment_link(comment: Comment) -> str:
    """Where a mail's reader finds the comment: the article's page when its address may be a
    link, else our thread page, built from ``PUBLIC_URL``."""
    page = safe_href(comment.article.url) or public_url(
        "public.thread", article=comment.article.key
    )
    return f"{page}#comment-{comment.id}"


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _acknowledge(report: Report, comment: Comment, now: datetime) -> None:
    """The notifier's receipt, in their language. Not tied to the comment in the outbox: the
    comment's author must never find the notifier's address in their own data export."""
    with force_locale(report.lang):
        subject = _("We have received your report (case %(case)s)", case=report.id)
        body = "\n".join(
            [
                _(
                    "Thank you for your report of a comment on “%(title)s”.",
                    title=comment.article.title,
                ),
                _comment_link(comment),
                "",
                _("Reason: %(reason)s", reason=reason_label(report.reason)),
                _("Received: %(when)s", when=_when(report.created_at)),
                "",
                _(
                    "What happens next: a moderator (a person) looks at the comment and decides "
                    "whether it stays or is removed. When several readers report a comment, it "
                    "is hidden until then. You will get another email with the decision and "
                    "its reason."
                ),
                "",
                _("Questions: %(contact)s", contact=dsa_contact()),
            ]
        )
    db.session.add(OutboxMail.due_now(report.email, subject, body, now=now))


def _tell_decision(report: Report, comment: Comment, now: datetime) -> None:
    if not report.email:
        return
    with force_locale(report.lang):
        subject = _("Decision on your report (case %(case)s)", case=report.id)
        if report.outcome == ReportOutcome.REMOVED:
            decision = _(
                "A moderator has removed the comment you reported on “%(title)s”. "
                "Ground: %(reason)s.",
                title=comment.article.title,
                reason=reason_label(report.decision_reason),
            )
        else:
            decision = _(
                "A moderator has looked at the comment you reported on “%(title)s” and decided "
                "to keep it: as we see it, it breaks neither the law nor the site's rules.",
                title=comment.article.title,
            )
        body = "\n".join(
            [
                decision,
                _("The decision was made by a person, not by an automated system."),
                _("Decided: %(when)s", when=_when(now)),
                "",
                _(
                    "If you disagree, write to %(contact)s and quote case %(case)s.",
                    contact=dsa_contact(),
                    case=report.id,
                ),
            ]
        )
    db.session.add(OutboxMail.due_now(report.email, subject, body, now=now))


def _statement_text(
    comment: Comment, reports: list[Report], statement: StatementOfReasons, auto_held: bool
) -> tuple[str, str]:
    """The statement of reasons: what was done, the facts, who decided, the ground, objecting."""
    counts = Counter(reason_label(r.reason) for r in reports)
    reasons = ", ".join(f"{label} ({n})" for label, n in counts.most_common())
    subject = _("Your comment on “%(title)s” has been removed", title=comment.article.title)
    facts = [
        _(
            "The facts: %(count)s readers reported the comment (%(reasons)s).",
            count=len(reports),
            reasons=reasons,
        )
    ]
    if auto_held:
        facts.append(
            _(
                "After %(count)s reports it was hidden automatically until a moderator decided.",
                count=reports_to_hold(),
            )
        )
    lines = [
        _("Statement of reasons (case %(case)s)", case=comment.id),
        "",
        _(
            "What was done: your comment on “%(title)s”, written %(when)s, has been removed "
            "from the site; readers no longer see it.",
            title=comment.article.title,
            when=_when(comment.created_at),
        ),
        "",
        *facts,
        _("Your comment:"),
        *("> " + line for line in comment.text.splitlines()),
        "",
        _(
            "Who decided: a moderator (a person) decided after reading the comment and the "
            "reports; it was not decided by an automated system."
        ),
        _(
            "The ground: %(reason)s. %(ground)s",
            reason=reason_label(statement.reason),
            ground=statement.ground,
        ),
        "",
        _(
            "How to object: if you think the decision is wrong, reply to this email or write to "
            "%(contact)s and quote case %(case)s. A person will review the decision again.",
            contact=dsa_contact(),
            case=comment.id,
        ),
    ]
    return subject, "\n".join(lines)


# --- personal data: privacy-export, privacy-erase and purge --------------------------------


def _when_iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def find_reports(email: str) -> list[dict[str, Any]]:
    """The reports a person sent, found by their exact (normalized) address."""
    found = db.session.execute(
        select(Report).where(Report.address == normalize_address(email)).order_by(Report.id)
    ).scalars()
    return [
        {
            "id": r.id,
            "comment_id": r.comment_id,
            "reason": r.reason.value,
            "explanation": r.explanation,
            "name": r.name,
            "email": r.email,
            "good_faith": r.good_faith,
            "created_at": _when_iso(r.created_at),
            "decided_at": _when_iso(r.decided_at),
            "outcome": r.outcome.value if r.outcome else None,
        }
        for r in found
    ]


def erase_reports(email: str, delete: bool) -> int:
    """Clear who sent them and what they wrote; the reason and times stay for the counts."""
    found = list(
        db.session.execute(
            select(Report).where(Report.address == normalize_address(email))
        ).scalars()
    )
    for report in found:
        _clear(report)
    return len(found)


def _clear(report: Report) -> None:
    report.name = report.email = report.address = report.explanation = report.reporter = ""


def find_statements(email: str) -> list[dict[str, Any]]:
    """Statements of reasons sent to a person about their removed comments."""
    found = db.session.execute(
        select(StatementOfReasons)
        .where(StatementOfReasons.address == normalize_address(email))
        .order_by(StatementOfReasons.id)
    ).scalars()
    return [
        {
            "id": s.id,
            "comment_id": s.comment_id,
            "recipient": s.recipient,
            "reason": s.reason,
            "ground": s.ground,
            "body": s.body,
            "decided_by": s.decided_by,
            "created_at": _when_iso(s.created_at),
        }
        for s in found
    ]


def erase_statements(email: str, delete: bool) -> int:
    """The address and the text (it quotes the comment) go; the ground and date stay."""
    found = list(
        db.session.execute(
            select(StatementOfReasons).where(StatementOfReasons.address == normalize_address(email))
        ).scalars()
    )
    for statement in found:
        statement.recipient = statement.address = statement.body = ""
    return len(found)


def purge_reports(cutoff: datetime) -> int:
    """Clear the personal data of reports decided before ``cutoff``; how many were cleared."""
    found = list(
        db.session.execute(
            select(Report).where(Report.decided_at < cutoff, Report.purged.is_(False))
        ).scalars()
    )
    for report in found:
        _clear(report)
        report.purged = True
    return len(found)
