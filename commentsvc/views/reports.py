"""A reader's report: the report page (works without JavaScript). The JSON route is in
``views/api/reports.py``, the moderators' tab in ``views/moderation/reports.py``.

The report page is opened at the top level (the iframe and the script embed open it in a new
tab), so the session cookie carries the CSRF token and the reader's browser id.
"""

from __future__ import annotations

import secrets

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_babel import get_locale

from commentsvc import reports
from commentsvc.errors import CSRF_MESSAGE, DomainError
from commentsvc.extensions import csrf, db
from commentsvc.forms.comment import AUTHOR_MAX
from commentsvc.forms.desk import ActionForm
from commentsvc.forms.report import (
    GOOD_FAITH_TEXT,
    REPORT_EMAIL_MAX,
    REPORT_EXPLANATION_MAX,
    ReportForm,
)
from commentsvc.models.base import utcnow
from commentsvc.models.threads import Comment
from commentsvc.privacy.addresses import anonymize_ip
from commentsvc.ratelimits import limit_reports
from commentsvc.weburls import safe_href

bp = Blueprint("reports", __name__)

REPORTER_KEY = "reporter"
SENT_KEY = "report_sent"  # the comment this browser last reported, for the thank-you page


def browser_reporter() -> str:
    """This browser's reporter id: a random value in the signed session, hashed with the key."""
    browser_id = session.get(REPORTER_KEY)
    if not isinstance(browser_id, str) or not browser_id:
        browser_id = secrets.token_urlsafe(16)
        session[REPORTER_KEY] = browser_id
        session.permanent = True
    return reports.reporter_key(browser_id)


def back_to(comment: Comment, lang: str | None) -> str:
    """The comment in place: on the article's page when its address may be a link."""
    page = safe_href(comment.article.url) or url_for(
        "public.thread", article=comment.article.key, lang=lang
    )
    return f"{page}#comment-{comment.id}"


def render_report_page(comment: Comment, form: ReportForm, status: int = 200, **context):
    lang = request.values.get("lang") or None
    return render_template(
        "reports/report.html",
        comment=comment,
        form=form,
        back=back_to(comment, lang),
        lang=lang,
        # The comment's site answers for it, whichever site's page the reader came from.
        dsa_contact=reports.dsa_contact(comment.article.site_id),
        explanation_max=REPORT_EXPLANATION_MAX,
        name_max=AUTHOR_MAX,
        email_max=REPORT_EMAIL_MAX,
        good_faith_text=GOOD_FAITH_TEXT,
        **context,
    ), status


@bp.get("/comments/<int(max=2147483647):comment_id>/report")
def report_form(comment_id: int):
    if request.args.get("sent"):
        return thank_you_page(comment_id)
    comment = reports.reportable(comment_id)
    return render_report_page(comment, ReportForm(formdata=None, reason=""))


def thank_you_page(comment_id: int):
    """The same page for every id, published, hidden or missing: it must not tell a stranger
    which ids exist or where they are. Only the browser that just sent the report gets the
    link back to the comment, from its own signed session."""
    sent = session.get(SENT_KEY)
    back = sent.get("back") if isinstance(sent, dict) and sent.get("id") == comment_id else None
    return render_template(
        "reports/report.html",
        comment=None,
        sent=True,
        back=back,
        lang=request.values.get("lang") or None,
        dsa_contact=reports.dsa_contact(),
    )


@bp.post("/comments/<int(max=2147483647):comment_id>/report")
@csrf.exempt  # the form checks its own token, so that a failure keeps what the reader typed
@limit_reports
def report_comment(comment_id: int):
    # First, so that a comment that is not public answers as a missing one, form or no form.
    comment = reports.reportable(comment_id)
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
            network=anonymize_ip(request.remote_addr),
            lang=str(get_locale()),
            now=utcnow(),
        )
    except DomainError as error:
        form.form_errors.append(error.message)
        return render_report_page(comment, form, error.status)
    db.session.commit()
    lang = request.form.get("lang") or None
    session[SENT_KEY] = {"id": comment.id, "back": back_to(comment, lang)}
    return redirect(url_for("reports.report_form", comment_id=comment_id, sent=1, lang=lang), 303)


# --- the notifier confirms their address, from the receipt -----------------------------------


def _token() -> str:
    return request.args.get("token") or request.form.get("token") or ""


def _private(body: str, status: int = 200):
    # The token is a secret of the notifier's: no cache or referring page may keep it.
    return body, status, {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


@bp.get("/reports/confirm")
def confirm_page():
    """A page with a button: a mail scanner that follows the link confirms nothing."""
    reports.report_to_confirm(_token(), now=utcnow())
    return _private(render_template("reports/confirm.html", form=ActionForm(), token=_token()))


@bp.post("/reports/confirm")
def confirm():
    form = ActionForm()
    if not form.validate():
        page = render_template("reports/confirm.html", form=form, token=_token(), expired_form=True)
        return _private(page, 400)
    reports.confirm_report(_token(), now=utcnow())
    db.session.commit()
    return _private(render_template("reports/confirm.html", confirmed=True))
