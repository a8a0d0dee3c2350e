"""What notice and action is bound by: the reasons a reader may give, when reports hold a
comment, who answers, and the names the audit log gives the steps."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from commentsvc.models.reports import ReportReason
from commentsvc.moderation.reported import REPORT_HOLD, REPORTS_KEPT
from commentsvc.sites import config_for, effective_config

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


def _config(site_id: str | None):
    return effective_config() if site_id is None else config_for(site_id)


def reports_to_hold(site_id: str | None = None) -> int:
    """How much independent readers must weigh to hold a published comment of ``site_id``
    (None: the request's site; 0: never); ``reports.trust`` says who counts and how much."""
    return _config(site_id)["REPORTS_TO_HOLD"]


def dsa_contact(site_id: str | None = None) -> str:
    """Where people write about reports and decisions on ``site_id``'s comments (None: the
    request's site): its DSA_CONTACT, else its mail sender."""
    config = _config(site_id)
    return config["DSA_CONTACT"] or config["MAIL_FROM"]


def provider_name(site_id: str | None = None) -> str:
    """The provider a statement of reasons names: the site's PROVIDER_NAME, else its name."""
    config = _config(site_id)
    return config["PROVIDER_NAME"] or config["SITE_NAME"]
