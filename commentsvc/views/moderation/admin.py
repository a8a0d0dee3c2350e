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
from commentsvc.moderation import access, accounts
from commentsvc.moderation.auth import (
    admin_required,
    current_access,
    current_moderator,
    installation_admin_required,
    login_required,
)
from commentsvc.notify import outbox
from commentsvc.views.moderation._common import actor, bp, safe_next


@bp.route("/moderators", methods=["GET", "POST"])
@admin_required
def moderators():
    form = _moderator_form()
    status = 200
    if form.validate_on_submit():
        try:
            added = accounts.create_moderator(
                form.username.data,
                form.password.data,
                role=form.role.data,
                sites=accounts.sites_for_new_account(current_moderator(), form.sites.data),
                email=form.email.data or "",
                notify=form.notify.data,
                display_name=form.display_name.data or "",
                by=actor(),
                now=utcnow(),
            )
        except DomainError as error:
            db.session.rollback()
            field = error.field if error.field in form else "username"
            form[field].errors = [error.message]
            status = 422
        else:
            db.session.commit()
            flash(str(_l("Moderator %(name)s is added.", name=added.username)))
            return redirect(url_for("moderation.moderators"), code=303)
    elif request.method == "POST":
        status = 422
    return _moderators_page(form, status)


def _moderator_form(**kwargs) -> ModeratorForm:
    """The form to add an account, offering the sites the admin manages."""
    form = ModeratorForm(**kwargs)
    form.sites.choices = [(s.id, s.name) for s in access.managed_sites(current_access())]
    return form


def _moderators_page(form=None, status: int = 200, **context):
    mine = current_access()
    rows = [
        {
            "account": account,
            # Only the roles on sites the admin sees: another site's people stay its own.
            "roles": {site: role for site, role in roles.items() if mine.sees(site)},
            "manages": access.manages_account(mine, roles),
        }
        for account, roles in accounts.moderators_seen_by(current_moderator())
    ]
    return render_template(
        "moderation/moderators.html",
        form=form or _moderator_form(formdata=None),
        rows=rows,
        managed_sites=access.managed_sites(mine),
        **context,
    ), status


@bp.post("/moderators/<int:moderator_id>/sites")
@admin_required
def set_site_role(moderator_id: int):
    """Give an account a role on one site, or take it (``role`` empty)."""
    try:
        changed = accounts.set_site_role(
            moderator_id,
            request.form.get("site", ""),
            request.form.get("role", ""),
            by=current_moderator(),
            now=utcnow(),
        )
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(str(_l("%(name)s has a new role; their sessions have ended.", name=changed.username)))
    return redirect(url_for("moderation.moderators"), code=303)


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
@admin_required
def settings_page():
    """One site's settings (``?site=ID``): a site's admin edits theirs, the installation's
    admin any site's (the default site's unless another is chosen)."""
    choices = access.managed_sites(current_access())
    ids = [s.id for s in choices]
    site = request.args.get("site") or (DEFAULT_SITE if DEFAULT_SITE in ids else ids[0])
    if site not in ids:
        abort(404)  # another site's settings are not there for this admin
    shown = None if request.method == "POST" else settings.site_settings(site)
    form = SettingsForm(data=shown)
    if form.validate_on_submit():
        try:
            settings.save_settings(
                {key: form[key].data for key in settings.EDITABLE},
                by=actor(),
                now=utcnow(),
                site=site,
            )
        except DomainError as error:
            db.session.rollback()
            getattr(form, error.field).errors = [error.message]
        else:
            db.session.commit()
            flash(str(_l("The settings are saved and apply at once.")))
            return redirect(url_for("moderation.settings_page", site=site), code=303)
    status = 422 if request.method == "POST" else 200
    return render_template("moderation/settings.html", form=form, sites=choices, site=site), status


@bp.get("/mail")
@installation_admin_required
def mail_failures():
    """The mails ``send-mail`` set aside, each with its error."""
    return render_template("moderation/mail.html", mails=outbox.set_aside())


@bp.post("/mail/<int:mail_id>/retry")
@installation_admin_required
def retry_mail(mail_id: int):
    if outbox.try_again(mail_id, now=utcnow()):
        db.session.commit()
        flash(str(_l("The mail is sent again with the next delivery run.")))
    return redirect(url_for("moderation.mail_failures"), code=303)


@bp.app_template_global()
def mails_set_aside() -> int:
    """How many mails could not be sent: shown to admins beside the link to them."""
    moderator = current_moderator()
    if moderator is None or not current_access().installation_admin:
        return 0
    return outbox.count_set_aside()


@bp.app_template_global()
def moderation_messages():
    return get_flashed_messages(with_categories=True)
