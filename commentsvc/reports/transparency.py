"""The transparency report: counts of notices and decisions over a period."""

from __future__ import annotations

import statistics
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from commentsvc.dates import utc_time
from commentsvc.errors import DomainError
from commentsvc.extensions import db
from commentsvc.models.moderation import ModerationEvent
from commentsvc.models.reports import Report, ReportOutcome, ReportReason
from commentsvc.moderation.access import comment_ids_on, events_on
from commentsvc.reports.rules import HOLD_ACTION, reason_label


@dataclass
class Transparency:
    since: datetime | None
    until: datetime
    notices_by_reason: dict[str, int]
    decisions: dict[str, int]  # comments kept / removed
    removed_by_reason: dict[str, int]
    median_hours: float | None
    held_automatically: int
    open_reports: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat(),
            "notices": sum(self.notices_by_reason.values()),
            "notices_by_reason": self.notices_by_reason,
            "decisions": self.decisions,
            "removed_by_reason": self.removed_by_reason,
            "median_hours_notice_to_decision": self.median_hours,
            "held_automatically": self.held_automatically,
            "open_reports": self.open_reports,
        }


def parse_since(text: str) -> datetime:
    """A date (YYYY-MM-DD) as the start of that day, UTC."""
    try:
        day = date.fromisoformat(text.strip())
    except ValueError as error:
        raise DomainError(
            _l("Write the date as YYYY-MM-DD, for example 2026-01-01."), field="since"
        ) from error
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def transparency(
    *, since: datetime | None, now: datetime, sites: Collection[str] | None = None
) -> Transparency:
    """The figures of the transparency report for reports received and decided since ``since``,
    about comments of ``sites`` (None: every site).

    They come from the reports' reason, times and outcome (which ``purge`` keeps) and from
    the audit log, so they stay true after the personal data is gone.
    """
    received = select(Report.reason, func.count(Report.id)).group_by(Report.reason)
    decided = select(
        Report.comment_id,
        Report.decided_at,
        Report.outcome,
        Report.decision_reason,
        Report.created_at,
    ).where(Report.decided_at.is_not(None))
    held = select(func.count(ModerationEvent.id)).where(ModerationEvent.action == HOLD_ACTION)
    if sites is not None:
        received = received.where(comment_ids_on(sites, Report.comment_id))
        decided = decided.where(comment_ids_on(sites, Report.comment_id))
        held = held.where(events_on(sites))
    if since is not None:
        received = received.where(Report.created_at >= since)
        decided = decided.where(Report.decided_at >= since)
        held = held.where(ModerationEvent.created_at >= since)
    by_reason = {reason.value: 0 for reason in ReportReason}
    for reason, count in db.session.execute(received):
        by_reason[ReportReason(reason).value] = count
    decisions = {outcome.value: 0 for outcome in ReportOutcome}
    removed_by_reason: dict[str, int] = {reason.value: 0 for reason in ReportReason}
    waits, seen = [], set()
    for comment_id, decided_at, outcome, decision_reason, created_at in db.session.execute(decided):
        waits.append((decided_at - created_at).total_seconds() / 3600)
        decision = (comment_id, decided_at)
        if decision in seen:
            continue
        seen.add(decision)
        decisions[ReportOutcome(outcome).value] += 1
        if outcome == ReportOutcome.REMOVED and decision_reason:
            removed_by_reason[decision_reason] = removed_by_reason.get(decision_reason, 0) + 1
    open_count = db.session.execute(
        select(func.count(Report.id)).where(
            Report.decided_at.is_(None), comment_ids_on(sites, Report.comment_id)
        )
    ).scalar_one()
    return Transparency(
        since=since,
        until=now,
        notices_by_reason=by_reason,
        decisions=decisions,
        removed_by_reason=removed_by_reason,
        median_hours=round(statistics.median(waits), 2) if waits else None,
        held_automatically=db.session.execute(held).scalar_one(),
        open_reports=open_count,
    )


def transparency_markdown(report: Transparency) -> str:
    """The figures as a Markdown page, in the current language."""
    period = (
        _("From %(since)s to %(until)s", since=utc_time(report.since), until=utc_time(report.until))
        if report.since
        else _("Until %(until)s", until=utc_time(report.until))
    )
    median = (
        _("%(hours)s hours", hours=report.median_hours)
        if report.median_hours is not None
        else _("no decisions yet")
    )
    lines = [
        "# " + _("Transparency report: reports and decisions"),
        "",
        period,
        "",
        "## " + _("Notices received by reason"),
        "",
        f"| {_('Reason')} | {_('Notices')} |",
        "| --- | ---: |",
        *(f"| {reason_label(r)} | {n} |" for r, n in report.notices_by_reason.items()),
        f"| **{_('Total')}** | **{sum(report.notices_by_reason.values())}** |",
        "",
        "## " + _("Actions taken"),
        "",
        "- " + _("Comments kept: %(count)s", count=report.decisions.get("kept", 0)),
        "- " + _("Comments removed: %(count)s", count=report.decisions.get("removed", 0)),
        *(f"  - {reason_label(r)}: {n}" for r, n in report.removed_by_reason.items() if n),
        "- "
        + _(
            "Comments held automatically after reports: %(count)s",
            count=report.held_automatically,
        ),
        "- " + _("Median time from notice to decision: %(median)s", median=median),
        "- " + _("Reports waiting for a decision: %(count)s", count=report.open_reports),
    ]
    return "\n".join(lines) + "\n"
