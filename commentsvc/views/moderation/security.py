"""A moderator's second factor (their own page), and what admins do for an account that is
locked out: clear its failed logins, reset its second factor."""

from __future__ import annotations

from flask import (
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import lazy_gettext as _l

from commentsvc.errors import DomainError
from commentsvc.extensions import db
from commentsvc.forms.desk import CodeForm
from commentsvc.models.base import utcnow
from commentsvc.moderation import accounts, secondfactor
from commentsvc.moderation.auth import admin_required, current_moderator, log_in, signed_in
from commentsvc.privacy.addresses import anonymize_ip
from commentsvc.views.moderation._common import bp

# The secret being set up, until a code proves the app holds it. The session cookie is
# signed, and this browser is the moderator's own: the secret is shown on its page anyway.
SETUP_KEY = "second_factor_setup"


@bp.route("/me/second-factor", methods=["GET", "POST"])
@signed_in
def second_factor():
    """Turn the second factor on (a new secret, confirmed with a code) or see that it is on."""
    me = current_moderator()
    if me.reset_pending:
        return redirect(url_for("moderation.password"), code=303)
    form = CodeForm()
    status = 200
    if secondfactor.enabled(me):
        session.pop(SETUP_KEY, None)
        if request.method == "POST":
            flash(str(_l("Your second factor is already on.")), "error")
            return redirect(url_for("moderation.second_factor"), code=303)
        return render_template(
            "moderation/second_factor.html", form=form, left=len(me.recovery_codes or [])
        )
    secret = session.get(SETUP_KEY)
    if not isinstance(secret, str) or not secret:
        secret = session[SETUP_KEY] = secondfactor.new_secret()
    if form.validate_on_submit():
        try:
            codes = secondfactor.enable(me, secret, form.code.data, now=utcnow())
        except DomainError as error:
            db.session.rollback()
            form.code.errors = [error.message]
            status = 422
        else:
            db.session.commit()
            log_in(me)  # this browser goes on with a new session; the others have ended
            return render_template("moderation/second_factor.html", form=None, codes=codes)
    elif request.method == "POST":
        status = 422
    uri = secondfactor.setup_uri(secret, me.username)
    return render_template(
        "moderation/second_factor.html",
        form=form,
        secret=secret,
        uri=uri,
        qr=secondfactor.qr_svg(uri, str(_l("QR code for your authenticator app"))),
        required=secondfactor.required(),
    ), status


@bp.post("/me/second-factor/disable")
@signed_in
def disable_second_factor():
    """Turn one's own second factor off, with a code of the app or a recovery code."""
    me = current_moderator()
    form = CodeForm()
    if not form.validate_on_submit():
        flash(str(_l("Enter a code of your app or a recovery code.")), "error")
        return redirect(url_for("moderation.second_factor"), code=303)
    try:
        secondfactor.disable(
            me, form.code.data, address=anonymize_ip(request.remote_addr), now=utcnow()
        )
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(url_for("moderation.second_factor"), code=303)
    db.session.commit()
    log_in(me)
    flash(str(_l("Your second factor is off. Other sessions have ended.")))
    return redirect(url_for("moderation.second_factor"), code=303)


@bp.post("/moderators/<int:moderator_id>/reset-second-factor")
@admin_required
def reset_second_factor(moderator_id: int):
    """For an account whose phone and recovery codes are lost."""
    try:
        changed = secondfactor.reset(moderator_id, by=current_moderator(), now=utcnow())
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(
            str(
                _l(
                    "The second factor of %(name)s is off; their sessions have ended.",
                    name=changed.username,
                )
            )
        )
    return redirect(url_for("moderation.moderators"), code=303)


@bp.post("/moderators/<int:moderator_id>/unlock")
@admin_required
def unlock(moderator_id: int):
    """Clear an account's failed logins (and its addresses'): its owner may log in at once."""
    try:
        changed = accounts.unlock(moderator_id, by=current_moderator(), now=utcnow())
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(str(_l("The failed logins of %(name)s are cleared.", name=changed.username)))
    return redirect(url_for("moderation.moderators"), code=303)
