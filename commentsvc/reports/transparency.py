"""The transparency report: counts of notices and decisions over a period, for one site or for
the installation (its totals, and each site's figures beside them). It is also the sites'
statistics: the comments received in the period, by their status now."""

from __future__ import annotations

import csv
import io
import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from commentsvc.dates import day_start, local_time, zone_of
from commentsvc.errors import DomainError
from commentsvc.extensions import db
from commentsvc.models.moderation import ModerationEvent
from commentsvc.models.reports import Report, ReportOutcome, ReportReason
from commentsvc.models.sites import Site
from commentsvc.models.threads import Article, Comment, CommentStatus
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
    comments_by_status: dict[str, int]  # received in the period, by their status now
    site: str | None = None  # None: the installation
    sites: dict[str, Transparency] = field(default_factory=dict)  # the installation's, by site

    @property
    def notices(self) -> int:
        return sum(self.notices_by_reason.values())

    def figures(self) -> dict[str, Any]:
        """The counts alone, as JSON gives them."""
        return {
            "notices": self.notices,
            "notices_by_reason": self.notices_by_reason,
            "decisions": self.decisions,
            "removed_by_reason": self.removed_by_reason,
            "median_hours_notice_to_decision": self.median_hours,
            "held_automatically": self.held_automatically,
            "open_reports": self.open_reports,
            "comments_by_status": self.comments_by_status,
        }

    def as_dict(self) -> dict[str, Any]:
        document = {
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat(),
            "site": self.site,
            **self.figures(),
        }
        if self.site is None:
            document["sites"] = {site: part.figures() for site, part in self.sites.items()}
        return document


def _day(text: str, field_name: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError as error:
        raise DomainError(
            _l("Write the date as YYYY-MM-DD, for example 2026-01-01."), field=field_name
        ) from error


def parse_since(text: str, site: str | None = None) -> datetime:
    """A date (YYYY-MM-DD) as the start of that day in the report's zone: the ``site``'s
    TIMEZONE, or the installation's for the whole installation's report."""
    return day_start(_day(text, "since"), zone_of(site))


def parse_until(text: str, since: datetime | None = None, site: str | None = None) -> datetime:
    """A date (YYYY-MM-DD) as the end of that day (the start of the next) in the report's
    zone, as ``parse_since``: the day counts. Refused when it ends before ``since`` begins."""
    until = day_start(_day(text, "until") + timedelta(days=1), zone_of(site))
    if since is not None and until <= since:
        raise DomainError(
            _l("The last day comes before the first: write an end date on or after the start."),
            field="until",
        )
    return until


def transparency(
    *,
    since: datetime | None,
    now: datetime,
    until: datetime | None = None,
    site: str | None = None,
) -> Transparency:
    """The figures of the transparency report for reports received and decided in
    [``since``, ``until``) (``until`` None: up to ``now``), on ``site`` or, with None, on the
    whole installation with each site's figures beside the totals.

    They come from the reports' site, reason, times and outcome (which ``purge`` keeps) and
    from the audit log, so they stay true after the personal data is gone.
    """
    report = _figures(since=since, until=until or now, site=site)
    if site is None:
        known = set(db.session.execute(select(Site.id)).scalars())
        # A removed site's reports stay counted in the totals, and beside them.
        known |= set(db.session.execute(select(Report.site_id).distinct()).scalars())
        report.sites = {
            site_id: _figures(since=since, until=until or now, site=site_id)
            for site_id in sorted(known)
        }
    return report


def _figures(*, since: datetime | None, until: datetime, site: str | None) -> Transparency:
    received = select(Report.reason, func.count(Report.id)).group_by(Report.reason)
    decided = select(
        Report.comment_id,
        Report.decided_at,
        Report.outcome,
        Report.decision_reason,
        Report.created_at,
    ).where(Report.decided_at.is_not(None), Report.decided_at < until)
    received = received.where(Report.created_at < until)
    held = select(func.count(ModerationEvent.id)).where(
        ModerationEvent.action == HOLD_ACTION, ModerationEvent.created_at < until
    )
    open_now = select(func.count(Report.id)).where(Report.decided_at.is_(None))
    comments = (
        select(Comment.status, func.count(Comment.id))
        .join(Article, Comment.article_id == Article.id)
        .where(Comment.created_at < until)
        .group_by(Comment.status)
    )
    if since is not None:
        received = received.where(Report.created_at >= since)
        decided = decided.where(Report.decided_at >= since)
        held = held.where(ModerationEvent.created_at >= since)
        comments = comments.where(Comment.created_at >= since)
    if site is not None:
        received = received.where(Report.site_id == site)
        decided = decided.where(Report.site_id == site)
        held = held.where(ModerationEvent.site_id == site)
        open_now = open_now.where(Report.site_id == site)
        comments = comments.where(Article.site_id == site)
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
    by_status = {status.value: 0 for status in CommentStatus}
    for status, count in db.session.execute(comments):
        by_status[CommentStatus(status).value] = count
    return Transparency(
        since=since,
        until=until,
        notices_by_reason=by_reason,
        decisions=decisions,
        removed_by_reason=removed_by_reason,
        median_hours=round(statistics.median(waits), 2) if waits else None,
        held_automatically=db.session.execute(held).scalar_one(),
        open_reports=db.session.execute(open_now).scalar_one(),
        comments_by_status=by_status,
        site=site,
    )


def _median(report: Transparency) -> str:
    if report.median_hours is None:
        return _("no decisions yet")
    return _("%(hours)s hours", hours=report.median_hours)


def transparency_markdown(report: Transparency) -> str:
    """The figures as a Markdown page, in the current language; the period in the report's
    zone (the site's, or the installation's), named."""
    period = (
        _(
            "From %(since)s to %(until)s",
            since=local_time(report.since, report.site),
            until=local_time(report.until, report.site),
        )
        if report.since
        else _("Until %(until)s", until=local_time(report.until, report.site))
    )
    scope = (
        _("Site: %(site)s", site=report.site) if report.site else _("All sites of the installation")
    )
    lines = [
        "# " + _("Transparency report: reports and decisions"),
        "",
        scope,
        "",
        period,
        "",
        "## " + _("Notices received by reason"),
        "",
        f"| {_('Reason')} | {_('Notices')} |",
        "| --- | ---: |",
        *(f"| {reason_label(r)} | {n} |" for r, n in report.notices_by_reason.items()),
        f"| **{_('Total')}** | **{report.notices}** |",
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
        "- " + _("Median time from notice to decision: %(median)s", median=_median(report)),
        "- " + _("Reports waiting for a decision: %(count)s", count=report.open_reports),
        "",
        "## " + _("Comments received, by status now"),
        "",
        *(
            f"- {status_label(status)}: {count}"
            for status, count in report.comments_by_status.items()
        ),
    ]
    if report.sites:
        lines += [
            "",
            "## " + _("Per site"),
            "",
            "| "
            + " | ".join(
                (
                    _("Site"),
                    _("Notices"),
                    _("Kept"),
                    _("Removed"),
                    _("Held automatically"),
                    _("Waiting"),
                    _("Median time to decision"),
                    _("Comments received"),
                )
            )
            + " |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
            *(
                f"| {site} | {part.notices} | {part.decisions.get('kept', 0)} | "
                f"{part.decisions.get('removed', 0)} | {part.held_automatically} | "
                f"{part.open_reports} | {_median(part)} | "
                f"{sum(part.comments_by_status.values())} |"
                for site, part in report.sites.items()
            ),
        ]
    return "\n".join(lines) + "\n"


STATUS_LABELS = {
    CommentStatus.PENDING: _l("Waiting for review"),
    CommentStatus.APPROVED: _l("Published"),
    CommentStatus.SPAM: _l("Spam"),
    CommentStatus.TRASH: _l("Trash"),
}


def status_label(status: str) -> str:
    return str(STATUS_LABELS[CommentStatus(status)])


def transparency_csv(report: Transparency) -> str:
    """The figures as CSV for spreadsheets: one row per site and figure (``site`` empty: the
    installation's total), the figure named as in JSON (``notices_by_reason.illegal``)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["since", "until", "site", "figure", "value"])
    since = report.since.isoformat() if report.since else ""
    parts = [(report.site or "", report), *report.sites.items()]
    for site, part in parts:
        for name, value in part.figures().items():
            if isinstance(value, dict):
                for key, count in value.items():
                    writer.writerow([since, report.until.isoformat(), site, f"{name}.{key}", count])
            else:
                shown = "" if value is None else value
                writer.writerow([since, report.until.isoformat(), site, name, shown])
    return out.getvalue()
