"""Signing in and out, and a moderator's own password."""

from __future__ import annotations

import time

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
    CodeForm,
    LoginForm,
    PasswordForm,
)
from commentsvc.models.base import utcnow
from commentsvc.models.moderation import AuditAction
from commentsvc.moderation import accounts, logins, secondfactor
from commentsvc.moderation.auth import (
    begin_second_step,
    current_moderator,
    log_in,
    log_out,
    second_step_moderator,
    second_step_next,
    signed_in,
)
from commentsvc.privacy.addresses import anonymize_ip
from commentsvc.views.moderation._common import bp, safe_next


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    status, headers = 200, {}
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
            status, headers = error.status, _retry_after(error)
        else:
            next_url = safe_next(url_for("moderation.queue"))
            if secondfactor.enabled(moderator):
                begin_second_step(moderator, next_url, time.time())
                return redirect(url_for("moderation.login_code"), code=303)
            return _logged_in(moderator, next_url, how="password")
    elif request.method == "POST":
        status = 422
    return render_template("moderation/login.html", form=form), status, headers


@bp.route("/login/code", methods=["GET", "POST"])
def login_code():
    """The second step of a login with a second factor: the code after the password."""
    moderator = second_step_moderator(time.time())
    if moderator is None:
        flash(str(_l("Log in with your user name and password first.")), "error")
        return redirect(url_for("moderation.login"), code=303)
    form = CodeForm()
    status, headers = 200, {}
    if form.validate_on_submit():
        try:
            how = secondfactor.check_login_code(
                moderator,
                form.code.data,
                address=anonymize_ip(request.remote_addr),
                now=utcnow(),
            )
        except DomainError as error:
            form.code.errors = [error.message]
            status, headers = error.status, _retry_after(error)
        else:
            return _logged_in(moderator, second_step_next() or url_for("moderation.queue"), how=how)
    elif request.method == "POST":
        status = 422
    return render_template("moderation/login_code.html", form=form), status, headers


def _retry_after(error: DomainError) -> dict[str, str]:
    """The throttled answer says in seconds when to try again, for scripts and proxies."""
    seconds = getattr(error, "retry_after", None)
    return {"Retry-After": str(seconds)} if seconds else {}


def _logged_in(moderator, next_url: str, *, how: str):
    """The login is done: a new session, a record in the audit log (never the address or
    what was typed), and on to the page asked for."""
    log_in(moderator)
    accounts.record_for_account(
        AuditAction.LOGIN, moderator, by=moderator.username, now=utcnow(), proof=how
    )
    db.session.commit()
    if moderator.reset_pending:
        return redirect(url_for("moderation.password"), code=303)
    return redirect(next_url, code=303)


@bp.post("/logout")
def logout():
    me = current_moderator()
    if me is not None:
        # Every session of the account ends, a cookie copied elsewhere included.
        accounts.end_sessions(me)
        accounts.record_for_account(AuditAction.LOGOUT, me, by=me.username, now=utcnow())
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
