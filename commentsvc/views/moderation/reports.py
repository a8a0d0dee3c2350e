"""The moderators' tab "Anmälningar": reported comments, keep or remove with a statement of
reasons, and the transparency report (blueprint ``report_moderation``)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from commentsvc import reports
from commentsvc.errors import DomainError
from commentsvc.extensions import db
from commentsvc.forms.report import (
    RemovalForm,
)
from commentsvc.models.base import utcnow
from commentsvc.moderation.auth import (
    admin_required,
    current_access,
    current_moderator,
    login_required,
)
from commentsvc.sites import all_sites, find_site
from commentsvc.views.moderation import _common

mod_bp = Blueprint("report_moderation", __name__, url_prefix="/moderation")
# The moderation pages' layout, names and no-store headers hold for this tab too.
mod_bp.context_processor(_common.moderation_context)
mod_bp.after_request(_common.no_store)
mod_bp.before_request(_common.keep_to_own_sites)


# The statements of reasons sent about a comment, for its moderation page.
mod_bp.add_app_template_global(reports.statements_for, "report_statements")


def render_tab(removal_form: RemovalForm, status: int = 200, errors: dict | None = None):
    """The tab (of the sites the moderator sees, or the one chosen); after a refused removal,
    with its error beside the comment it concerns."""
    site = request.args.get("site") or None
    sites = current_access().narrowed(site)
    return render_template(
        "reports/moderation.html",
        items=reports.reported_comments(sites=sites),
        total=reports.open_report_total(sites=sites),
        removal_form=removal_form,
        reason_label=reports.reason_label,
        ground_max=reports.GROUND_MAX,
        statements=reports.recent_statements(sites=sites),
        errors=errors or {},
        site=site,
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
    """The installation's report with each site's beside it, or one site's (``site``); an admin
    of some sites sees those sites' only."""
    errors: dict[str, str] = {}
    since_text = (request.args.get("since") or "").strip()[:20]
    until_text = (request.args.get("until") or "").strip()[:20]
    allowed = current_access().admin_sites
    choices = [s.id for s in all_sites() if allowed is None or s.id in allowed]
    site = (request.args.get("site") or "").strip()[:40] or None
    if site is None and allowed is not None:
        site = choices[0]  # a site's admin has no installation to see
    if site is not None and site not in choices:
        if allowed is not None and find_site_or_none(site) is not None:
            abort(403)
        errors["site"] = _l("There is no site %(site)s.", site=site)
        site = None if allowed is None else choices[0]
    since = until = None
    if since_text:
        try:
            since = reports.parse_since(since_text, site)
        except DomainError as error:
            errors["since"] = error.message
    if until_text:
        try:
            until = reports.parse_until(until_text, since, site)
        except DomainError as error:
            errors["until"] = error.message
    figures = reports.transparency(since=since, until=until, now=utcnow(), site=site)
    return render_template(
        "reports/transparency.html",
        figures=figures,
        reason_label=reports.reason_label,
        status_label=reports.status_label,
        since_text=since_text,
        until_text=until_text,
        site_choices=choices,
        whole=allowed is None,
        chosen_site=site or "",
        errors=errors,
    ), 422 if errors else 200


def find_site_or_none(site_id: str):
    try:
        return find_site(site_id)
    except DomainError:
        return None
