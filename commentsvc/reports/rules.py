"""What notice and action is bound by: the reasons a reader may give, when reports hold a
comment, who answers, and the names the audit log gives the steps."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l

from commentsvc.models.reports import ReportReason
from commentsvc.moderation.actions import REPORT_HOLD, REPORTS_KEPT

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


def reports_to_hold() -> int:
    """How much independent readers must weigh to hold a published comment (0: never);
    ``reports.trust`` says who counts and how much."""
    return current_app.config["REPORTS_TO_HOLD"]


def dsa_contact() -> str:
    """Where people write about reports and decisions: DSA_CONTACT, else the mail sender."""
    config = current_app.config
    return config["DSA_CONTACT"] or config["MAIL_FROM"]
