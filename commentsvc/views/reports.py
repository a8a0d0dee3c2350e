"""Reader reports: the report page (works without JavaScript) and the moderators' tab
"Anmälningar" with its decisions and the transparency report.

The report page is opened at the top level (the iframe and the script embed open it in a new
tab), so the session cookie carries the CSRF token and the reader's browser id.
"""

from __future__ import annotations

import secrets

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from commentsvc import reports
from commentsvc.errors import CSRF_MESSAGE, DomainError
from commentsvc.extensions import csrf, db
from commentsvc.forms.comment import AUTHOR_MAX
from commentsvc.forms.report import (
    GOOD_FAITH_TEXT,
    REPORT_EMAIL_MAX,
    REPORT_EXPLANATION_MAX,
    RemovalForm,
    ReportForm,
    report_formdata_from_json,
)
from commentsvc.models import Comment, utcnow
from commentsvc.moderation.auth import admin_required, current_moderator, login_required
from commentsvc.privacy.addresses import anonymize_ip
from commentsvc.ratelimits import limit_reports
from commentsvc.views import api
from commentsvc.views.moderation import _common

bp = Blueprint("reports", __name__)
mod_bp = Blueprint("report_moderation", __name__, url_prefix="/moderation")
# The moderation pages' layout, names and no-store headers hold for this tab too.
mod_bp.context_processor(_common.moderation_context)
mod_bp.after_request(_common.no_store)

REPORTER_KEY = "reporter"


def browser_reporter() -> str:
    """This browser's reporter id: a random value in the signed session, hashed with the key."""
    browser_id = session.get(REPORTER_KEY)
    if not isinstance(browser_id, str) or not browser_id:
        browser_id = secrets.token_urlsafe(16)
        session[REPORTER_KEY] = browser_id
        session.permanent = True
    return reports.reporter_key(browser_id)


def render_report_page(comment: Comment, form: ReportForm, status: int = 200, **context):
    return render_template(
        "reports/report.html",
        comment=comment,
        form=form,
        lang=request.values.get("lang") or None,
        dsa_contact=reports.dsa_contact(),
        explanation_max=REPORT_EXPLANATION_MAX,
        name_max=AUTHOR_MAX,
        email_max=REPORT_EMAIL_MAX,
        good_faith_text=GOOD_FAITH_TEXT,
        **context,
    ), status


@bp.get("/comments/<int(max=2147483647):comment_id>/report")
def report_form(comment_id: int):
    if request.args.get("sent"):
        comment = db.get_or_404(Comment, comment_id)
        return render_report_page(comment, ReportForm(formdata=None), sent=True)
    comment = reports.reportable(comment_id)
    return render_report_page(comment, ReportForm(formdata=None, reason=""))


@bp.post("/comments/<int(max=2147483647):comment_id>/report")
@csrf.exempt  # the form checks its own token, so that a failure keeps what the reader typed
@limit_reports
def report_comment(comment_id: int):
    comment = db.get_or_404(Comment, comment_id)
    form = ReportForm()
    if not form.validate():
        if form.errors.get("csrf_token"):
            form.form_errors.append(CSRF_MESSAGE)
            return render_report_page(comment, form, 400)
        return render_report_page(comment, form, 422)
    try:
        reports.file_report(
            comment_id,
            form.new_report(),
            reporter=browser_reporter(),
            lang=str(get_locale()),
            now=utcnow(),
        )
    except DomainError as error:
        form.form_errors.append(error.message)
        return render_report_page(comment, form, error.status)
    db.session.commit()
    lang = request.form.get("lang") or None
    return redirect(url_for("reports.report_form", comment_id=comment_id, sent=1, lang=lang), 303)


@api.bp.post("/comments/<int(max=2147483647):comment_id>/reports")
@limit_reports
def api_report(comment_id: int):
    """A reader's report as JSON, from the script embed or another client of an allowed site.

    It is a route of the API's blueprint, so the API's rules hold for it: writes only from
    ALLOWED_ORIGINS (or the service itself), only as JSON, CORS, and JSON errors.

    The reader's browser is named by ``reporter`` (a random id the client keeps, e.g. in
    localStorage); without one, by the reader's anonymized address.
    """
    body = api.json_object()
    data, type_errors = report_formdata_from_json(body)
    form = ReportForm(formdata=data, meta={"csrf": False})
    form.validate()
    errors = api.field_errors(form.errors, type_errors)
    if errors:
        return api.invalid_fields(errors)
    browser_id = data.get("reporter") or "ip:" + anonymize_ip(request.remote_addr)
    report = reports.file_report(
        comment_id,
        form.new_report(),
        reporter=reports.reporter_key(browser_id),
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
            "you get a receipt now and the decision later."
        ),
    }, 201


# --- the moderators' tab ------------------------------------------------------------------


# The statements of reasons sent about a comment, for its moderation page.
mod_bp.add_app_template_global(reports.statements_for, "report_statements")


def render_tab(removal_form: RemovalForm, status: int = 200, errors: dict | None = None):
    """The tab; after a refused removal, with its error beside the comment it concerns."""
    return render_template(
        "reports/moderation.html",
        items=reports.reported_comments(),
        total=reports.open_report_total(),
        removal_form=removal_form,
        reason_label=reports.reason_label,
        ground_max=reports.GROUND_MAX,
        statements=reports.recent_statements(),
        errors=errors or {},
    ), status


@mod_bp.get("/reports")
@login_required
def reported():
    return render_tab(RemovalForm(formdata=None, reason=""))


def _actor() -> str:
    return current_moderator().username


@mod_bp.post("/comments/<int:comment_id>/reports/keep")
@login_required
def keep(comment_id: int):
    try:
        reports.keep(comment_id, by=_actor(), now=utcnow())
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(url_for("report_moderation.reported"), code=303)
    db.session.commit()
    flash(str(_l("Comment %(id)s stays; its reports are dismissed.", id=comment_id)))
    return redirect(url_for("report_moderation.reported"), code=303)


@mod_bp.post("/comments/<int:comment_id>/reports/remove")
@login_required
def remove(comment_id: int):
    form = RemovalForm()
    try:
        reports.remove(
            comment_id,
            reason=form.reason.data or "",
            ground=form.ground.data or "",
            by=_actor(),
            now=utcnow(),
        )
    except DomainError as error:
        db.session.rollback()
        if error.field is None:
            flash(str(error.message), "error")
            return redirect(url_for("report_moderation.reported"), code=303)
        # The ground or reason is missing: the tab again, the typed ground kept beside its error.
        return render_tab(form, 422, {"comment": comment_id, error.field: str(error.message)})
    db.session.commit()
    flash(
        str(
            _l(
                "Comment %(id)s is removed; its author and the notifiers are told why.",
                id=comment_id,
            )
        )
    )
    return redirect(url_for("report_moderation.reported"), code=303)


@mod_bp.get("/transparency")
@admin_required
def transparency():
    since_text = (request.args.get("since") or "").strip()[:20]
    since, since_error = None, None
    if since_text:
        try:
            since = reports.parse_since(since_text)
        except DomainError as error:
            since_error = error.message
    figures = reports.transparency(since=since, now=utcnow())
    return render_template(
        "reports/transparency.html",
        figures=figures,
        reason_label=reports.reason_label,
        since_text=since_text,
        since_error=since_error,
    ), 422 if since_error else 200
