"""Readers' reports of illegal content (notice and action), the decisions on them, and the
transparency report. The public face: ``reports.file_report(...)``; each name lives in
``rules``, ``notices``, ``decisions``, ``transparency`` or ``personal_data``.
"""

from commentsvc.reports.decisions import check_ground, keep, remove
from commentsvc.reports.notices import (
    NewReport,
    ReportedComment,
    ReportLinkGone,
    ReportRefused,
    confirm_report,
    file_report,
    open_report_total,
    open_reports,
    recent_statements,
    report_to_confirm,
    reportable,
    reported_comments,
    reporter_key,
    statements_for,
)
from commentsvc.reports.personal_data import (
    erase_reports,
    erase_statements,
    find_reports,
    find_statements,
    purge_reports,
)
from commentsvc.reports.rules import (
    GROUND_MAX,
    HOLD_ACTION,
    KEEP_ACTION,
    REASON_LABELS,
    REPORTS_ACTOR,
    dsa_contact,
    reason_label,
    reports_to_hold,
)
from commentsvc.reports.transparency import (
    Transparency,
    parse_since,
    transparency,
    transparency_markdown,
)

__all__ = [
    "GROUND_MAX",
    "HOLD_ACTION",
    "KEEP_ACTION",
    "REASON_LABELS",
    "REPORTS_ACTOR",
    "NewReport",
    "ReportLinkGone",
    "ReportRefused",
    "ReportedComment",
    "Transparency",
    "check_ground",
    "confirm_report",
    "dsa_contact",
    "erase_reports",
    "erase_statements",
    "file_report",
    "find_reports",
    "find_statements",
    "keep",
    "open_report_total",
    "open_reports",
    "parse_since",
    "purge_reports",
    "reason_label",
    "recent_statements",
    "remove",
    "report_to_confirm",
    "reportable",
    "reported_comments",
    "reporter_key",
    "reports_to_hold",
    "statements_for",
    "transparency",
    "transparency_markdown",
]
