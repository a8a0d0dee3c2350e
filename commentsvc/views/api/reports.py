"""A reader's report as JSON (notice and action), from the script embed or another client."""

from __future__ import annotations

from flask import request
from flask_babel import get_locale
from flask_babel import gettext as _

from commentsvc import reports
from commentsvc.extensions import db
from commentsvc.forms.report import (
    ReportForm,
    report_formdata_from_json,
)
from commentsvc.models.base import utcnow
from commentsvc.privacy.addresses import anonymize_ip
from commentsvc.ratelimits import limit_reports
from commentsvc.views.api import _common


@_common.bp.post("/comments/<int(max=2147483647):comment_id>/reports")
@limit_reports
def api_report(comment_id: int):
    """A reader's report as JSON, from the script embed or another client of an allowed site.

    It is a route of the API's blueprint, so the API's rules hold for it: writes only from
    ALLOWED_ORIGINS (or the service itself), only as JSON, CORS, and JSON errors.

    The reader's browser is named by ``reporter`` (a random id the client keeps, e.g. in
    localStorage); without one, by the reader's anonymized address. The client chooses it, so
    it only keeps one browser from reporting twice: what holds a comment is the number of
    networks the reports come from (``reports.trust``).
    """
    body = _common.json_object()
    data, type_errors = report_formdata_from_json(body)
    form = ReportForm(formdata=data, meta={"csrf": False})
    form.validate()
    errors = _common.field_errors(form.errors, type_errors)
    if errors:
        return _common.invalid_fields(errors)
    network = anonymize_ip(request.remote_addr)
    browser_id = data.get("reporter") or "ip:" + network
    report = reports.file_report(
        comment_id,
        form.new_report(),
        reporter=reports.reporter_key(browser_id),
        network=network,
        lang=str(get_locale()),
        now=utcnow(),
    )
    db.session.commit()
    return {
        "report": {
            "id": report.id,
            "comment": report.comment_id,
            "reason": report.reason.value,
            "created": report.created_at.isoformat(),
        },
        "message": _(
            "Thank you. A moderator will look at the comment. If you gave your email address, "
            "you get a receipt now: confirm your report with its link to get the decision later."
        ),
    }, 201
