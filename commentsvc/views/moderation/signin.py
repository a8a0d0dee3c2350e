"""Signing in and out, and a moderator's own password."""

from __future__ import annotations

from flask import (
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import lazy_gettext as _l

from commentsvc.errors import DomainError
from commentsvc.extensions import db
from commentsvc.forms.desk import (
    LoginForm,
    PasswordForm,
)
from commentsvc.models.base import utcnow
from commentsvc.moderation import accounts, logins
from commentsvc.moderation.auth import (
    current_moderator,
    log_in,
    log_out,
    signed_in,
)
from commentsvc.privacy.addresses import anonymize_ip
from commentsvc.views.moderation._common import bp, safe_next


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            moderator = logins.authenticate(
                form.username.data,
                form.password.data,
                address=anonymize_ip(request.remote_addr),
                now=utcnow(),
            )
        except DomainError as error:
            form.form_errors.append(error.message)
            status = error.status
        else:
            log_in(moderator)
            if moderator.reset_pending:
                return redirect(url_for("moderation.password"), code=303)
            return redirect(safe_next(url_for("moderation.queue")), code=303)
    elif request.method == "POST":
        status = 422
    return render_template("moderation/login.html", form=form), status


@bp.post("/logout")
def logout():
    me = current_moderator()
    if me is not None:
        # Every session of the account ends, a cookie copied elsewhere included.
        accounts.end_sessions(me)
        db.session.commit()
    log_out()
    return redirect(url_for("moderation.login"), code=303)


@bp.route("/me/password", methods=["GET", "POST"])
@signed_in
def password():
    """Change one's own password with the current one (also after an admin's reset)."""
    me = current_moderator()
    form = PasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            accounts.change_own_password(me, form.current.data, form.password.data, now=utcnow())
        except accounts.AccountRejected as error:
            getattr(form, error.field or "password").errors = [error.message]
            status = 422
        else:
            db.session.commit()
            log_in(me)  # this browser goes on with a new session; the others have ended
            flash(str(_l("Your password is changed. Other sessions have ended.")))
            return redirect(url_for("moderation.queue"), code=303)
    elif request.method == "POST":
        status = 422
    return render_template(
        "moderation/password.html", form=form, password_min=accounts.PASSWORD_MIN
    ), status
