"""The sites page: the installation's sites with their thread counts, a new site, a site's
name, origins and own settings, and removing a site after a confirmation. Who may reach which
site is ``access.may_admin_site``'s answer alone."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from commentsvc.extensions import db
from commentsvc.forms.sites import NewSiteForm, RemoveSiteForm, SiteForm, field_of
from commentsvc.models.base import utcnow
from commentsvc.models.sites import DEFAULT_SITE
from commentsvc.moderation.access import may_admin_site
from commentsvc.moderation.auth import current_moderator, login_required
from commentsvc.setting_specs import SITE_PAGE_SETTINGS
from commentsvc.sites import registry
from commentsvc.sites.config import config_for, forget_cached
from commentsvc.views.moderation._common import actor, bp


def _allowed(site_id: str | None) -> None:
    if not may_admin_site(current_moderator(), site_id):
        abort(403)


def _site_or_404(site_id: str):
    _allowed(site_id)
    try:
        return registry.find_site(site_id)
    except registry.SiteNotFound:
        abort(404)


def _refused(form, error: registry.SiteInvalid) -> None:
    """The refusal beside the field it is about (or above the form), nothing kept."""
    db.session.rollback()
    forget_cached()
    field = field_of(form, error.field)
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


@bp.route("/sites", methods=["GET", "POST"])
@login_required
def sites():
    _allowed(None)
    form = NewSiteForm()
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            try:
                added = registry.add_site(
                    form.site_id.data,
                    name=form.name.data,
                    origins=form.origins.data,
                    by=actor(),
                    now=utcnow(),
                )
            except registry.SiteInvalid as error:
                _refused(form, error)
            else:
                db.session.commit()
                flash(str(_l("The site %(site)s is added.", site=added.id)))
                return redirect(url_for("moderation.site", site_id=added.id), code=303)
    else:
        form = NewSiteForm(formdata=None)
    counts = registry.thread_counts()
    listed = [
        (each, config_for(each.id)["ALLOWED_ORIGINS"], counts.get(each.id, 0))
        for each in registry.all_sites()
    ]
    return render_template("moderation/sites.html", form=form, sites=listed), status


def _setting_notes(site) -> dict[str, tuple[bool, object]]:
    """For each setting on the page: is it the site's own, and the installation's value."""
    own = site.settings or {}
    return {
        spec.key: (spec.key in own, current_app.config[spec.key]) for spec in SITE_PAGE_SETTINGS
    }


@bp.route("/sites/<site_id>", methods=["GET", "POST"])
@login_required
def site(site_id: str):
    found = _site_or_404(site_id)
    status = 200
    if request.method == "POST":
        form = SiteForm()
        status = 422
        if form.validate_on_submit():
            try:
                registry.update_site(
                    found.id,
                    name=form.name.data,
                    origins=form.origins.data,
                    settings={spec.key: form[spec.key].data for spec in SITE_PAGE_SETTINGS},
                    by=actor(),
                    now=utcnow(),
                )
            except registry.SiteInvalid as error:
                _refused(form, error)
            else:
                db.session.commit()
                flash(str(_l("The site %(site)s is saved.", site=found.id)))
                return redirect(url_for("moderation.site", site_id=found.id), code=303)
        found = registry.find_site(site_id)  # as stored, after a rollback
    else:
        config = config_for(found.id)
        shown = {spec.key: config[spec.key] for spec in SITE_PAGE_SETTINGS}
        form = SiteForm(
            formdata=None,
            data={
                "name": found.name or config["SITE_NAME"],
                "origins": [o.origin for o in found.origins],
                **shown,
            },
        )
    return render_template(
        "moderation/site.html",
        form=form,
        site=found,
        notes=_setting_notes(found),
        # The default site's origins also come from the configuration file (ALLOWED_ORIGINS).
        configured=config_for(DEFAULT_SITE)["ALLOWED_ORIGINS"] if found.id == DEFAULT_SITE else [],
        stored_origins=[o.origin for o in found.origins],
    ), status


@bp.route("/sites/<site_id>/remove", methods=["GET", "POST"])
@login_required
def remove_site(site_id: str):
    found = _site_or_404(site_id)
    _allowed(None)  # removing a site is the installation's business
    form = RemoveSiteForm() if request.method == "POST" else RemoveSiteForm(formdata=None)
    status = 200
    threads = registry.thread_counts().get(found.id, 0)
    refusal = None
    try:
        registry.check_removal(found.id, with_threads=True)
    except registry.SiteInvalid as error:
        refusal = error.message  # the default site: no button at all
    if request.method == "POST" and refusal is None:
        status = 422
        if form.validate_on_submit():
            try:
                gone = registry.remove_site(
                    found.id, with_threads=form.with_threads.data, by=actor(), now=utcnow()
                )
            except registry.SiteInvalid as error:
                _refused(form, error)
            else:
                db.session.commit()
                flash(
                    str(
                        _l(
                            "The site %(site)s is removed, with %(count)s threads.",
                            site=site_id,
                            count=gone,
                        )
                    )
                )
                return redirect(url_for("moderation.sites"), code=303)
    elif request.method == "POST":
        status = 422
    return render_template(
        "moderation/site_remove.html", form=form, site=found, threads=threads, refusal=refusal
    ), status
