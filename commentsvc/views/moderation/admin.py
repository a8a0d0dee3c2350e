"""Admins' pages: moderator accounts, the policy settings and the mails that could not be
sent; a moderator's own mail choice."""

from __future__ import annotations

from flask import (
    abort,
    flash,
    get_flashed_messages,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import lazy_gettext as _l

from commentsvc import settings
from commentsvc.errors import DomainError
from commentsvc.extensions import db
from commentsvc.forms.desk import (
    ModeratorForm,
    SettingsForm,
)
from commentsvc.models.base import utcnow
from commentsvc.models.sites import DEFAULT_SITE
from commentsvc.moderation import accounts
from commentsvc.moderation.access import may_admin_site
from commentsvc.moderation.auth import (
    admin_required,
    current_moderator,
    login_required,
)
from commentsvc.notify import outbox
from commentsvc.sites.registry import SiteNotFound, all_sites, find_site
from commentsvc.views.moderation._common import actor, bp, safe_next


@bp.route("/moderators", methods=["GET", "POST"])
@admin_required
def moderators():
    form = ModeratorForm()
    status = 200
    if form.validate_on_submit():
        try:
            added = accounts.create_moderator(
                form.username.data,
                form.password.data,
                role=form.role.data,
                email=form.email.data or "",
                notify=form.notify.data,
                display_name=form.display_name.data or "",
                by=actor(),
                now=utcnow(),
            )
        except accounts.AccountRejected as error:
            db.session.rollback()
            getattr(form, error.field or "username").errors = [error.message]
            status = 422
        else:
            db.session.commit()
            flash(str(_l("Moderator %(name)s is added.", name=added.username)))
            return redirect(url_for("moderation.moderators"), code=303)
    elif request.method == "POST":
        status = 422
    return _moderators_page(form, status)


def _moderators_page(form=None, status: int = 200, **context):
    everyone = accounts.all_moderators()
    return render_template(
        "moderation/moderators.html",
        form=form or ModeratorForm(formdata=None),
        everyone=everyone,
        **context,
    ), status


@bp.post("/moderators/<int:moderator_id>/<any(disable, enable):action>")
@admin_required
def set_active(moderator_id: int, action: str):
    try:
        changed = accounts.set_active(
            moderator_id, action == "enable", by=current_moderator(), now=utcnow()
        )
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        message = _l("%(name)s can log in.") if changed.active else _l("%(name)s is disabled.")
        flash(str(message % {"name": changed.username}))
    return redirect(url_for("moderation.moderators"), code=303)


@bp.post("/moderators/<int:moderator_id>/role")
@admin_required
def set_role(moderator_id: int):
    try:
        changed = accounts.set_role(
            moderator_id, request.form.get("role", ""), by=current_moderator(), now=utcnow()
        )
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(str(_l("%(name)s has a new role; their sessions have ended.", name=changed.username)))
    return redirect(url_for("moderation.moderators"), code=303)


@bp.post("/moderators/<int:moderator_id>/reset-password")
@admin_required
def reset_password(moderator_id: int):
    """A temporary password, shown once on the page (it is never stored or mailed in clear)."""
    try:
        changed, temporary = accounts.reset_password(
            moderator_id, by=current_moderator(), now=utcnow()
        )
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(url_for("moderation.moderators"), code=303)
    db.session.commit()
    return _moderators_page(reset=(changed.username, temporary))


@bp.post("/me/notify")
@login_required
def notify():
    me = current_moderator()
    accounts.set_notify(me.id, request.form.get("notify") == "on")
    db.session.commit()
    flash(str(_l("Your mail setting is saved.")))
    return redirect(safe_next(url_for("moderation.queue")), code=303)


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings_page():
    """The policy of one site (``?site=ID``; the default site without it)."""
    site_id = request.args.get("site") or DEFAULT_SITE
    if not may_admin_site(current_moderator(), site_id):
        abort(403)
    try:
        site = find_site(site_id)
    except SiteNotFound:
        abort(404)
    shown = None if request.method == "POST" else settings.site_settings(site.id)
    form = SettingsForm(data=shown)
    if form.validate_on_submit():
        try:
            settings.save_settings(
                {key: form[key].data for key in settings.EDITABLE},
                by=actor(),
                now=utcnow(),
                site=site.id,
            )
        except DomainError as error:
            db.session.rollback()
            getattr(form, error.field).errors = [error.message]
        else:
            db.session.commit()
            flash(str(_l("The settings are saved and apply at once.")))
            return redirect(url_for("moderation.settings_page", site=site.id), code=303)
    status = 422 if request.method == "POST" else 200
    choosable = [s for s in all_sites() if may_admin_site(current_moderator(), s.id)]
    return render_template(
        "moderation/settings.html", form=form, site=site, sites=choosable
    ), status


@bp.get("/mail")
@admin_required
def mail_failures():
    """The mails ``send-mail`` set aside, each with its error."""
    return render_template("moderation/mail.html", mails=outbox.set_aside())


@bp.post("/mail/<int:mail_id>/retry")
@admin_required
def retry_mail(mail_id: int):
    if outbox.try_again(mail_id, now=utcnow()):
        db.session.commit()
        flash(str(_l("The mail is sent again with the next delivery run.")))
    return redirect(url_for("moderation.mail_failures"), code=303)


@bp.app_template_global()
def mails_set_aside() -> int:
    """How many mails could not be sent: shown to admins beside the link to them."""
    moderator = current_moderator()
    return outbox.count_set_aside() if moderator is not None and moderator.is_admin else 0


@bp.app_template_global()
def moderation_messages():
    return get_flashed_messages(with_categories=True)
