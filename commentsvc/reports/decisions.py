"""The moderators' decisions on reported comments: keep, or remove with a statement of reasons."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l

from commentsvc import lifecycle
from commentsvc.errors import CommentNotFound, DomainError
from commentsvc.extensions import db
from commentsvc.models.reports import Report, ReportOutcome, ReportReason, StatementOfReasons
from commentsvc.models.threads import Comment
from commentsvc.moderation.actions import ModerationRefused, trash
from commentsvc.moderation.reported import keep_reported
from commentsvc.privacy.identity import normalize_address
from commentsvc.reports.notices import open_reports
from commentsvc.reports.rules import GROUND_MAX
from commentsvc.threads.policy import reason_codes


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
    lifecycle.report_decided.send(
        comment, reports=reports, statement=None, auto_held=False, now=now
    )
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
    """Trash a reported comment on a ground, with a statement of reasons; announced, so the
    notifiers are told and the author gets the statement."""
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
        details={"reports": len(reports), "reason": chosen.value},
    )
    for report in reports:
        report.decided_at, report.decided_by = now, by
        report.outcome, report.decision_reason = ReportOutcome.REMOVED, chosen.value
    statement = StatementOfReasons(
        comment_id=comment.id,
        site_id=comment.article.site_id,
        recipient=comment.email,
        address=normalize_address(comment.email),
        reason=chosen.value,
        ground=ground,
        decided_by=by,
        created_at=now,
    )
    db.session.add(statement)
    db.session.flush()
    # notify writes the statement's text (the one the author is mailed) and tells everyone.
    lifecycle.report_decided.send(
        comment, reports=reports, statement=statement, auto_held=auto_held, now=now
    )
    return statement
