"""The moderation pages: login, the queue, actions on comments, moderators and settings.

Every change is a POST with a CSRF token (Flask-WTF); action URLs answer GET with 405.
Views translate HTTP to calls of ``moderation``, ``accounts`` and ``settings`` and back,
and commit once per action (the services only flush). A refusal comes back on the page it
came from, as a message, with what the moderator typed kept.
"""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    Response,
    flash,
    get_flashed_messages,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from commentsvc import audit, moderation, settings
from commentsvc.errors import DomainError
from commentsvc.extensions import db
from commentsvc.forms import (
    ActionForm,
    AuditFilterForm,
    BulkForm,
    LoginForm,
    ModeratorEditForm,
    ModeratorForm,
    PasswordForm,
    PrivacyForm,
    SettingsForm,
    parse_id,
)
from commentsvc.models import utcnow
from commentsvc.moderation import accounts
from commentsvc.moderation.auth import (
    admin_required,
    current_moderator,
    log_in,
    log_out,
    login_required,
    signed_in,
)
from commentsvc.moderation.desk import TABS, events_for, load_queue
from commentsvc.notify import subscriptions
from commentsvc.privacy.addresses import anonymize_ip
from commentsvc.threads import policy

bp = Blueprint("moderation", __name__, url_prefix="/moderation")

DONE = {
    "approve": _l("Comment %(id)s is approved."),
    "approve-with-parent": _l("Comment %(id)s is approved, with the comment it replies to."),
    "trash": _l("Comment %(id)s is in the trash."),
    "spam": _l("Comment %(id)s is marked as spam."),
    "restore": _l("Comment %(id)s is restored."),
    "undo": _l("The last decision on comment %(id)s is undone."),
}


@bp.after_request
def no_store(response):
    # Moderation pages hold emails and addresses: never kept by a shared cache or the back button.
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    return response


STATUS_NAMES = {
    "pending": _l("Pending"),
    "approved": _l("Approved"),
    "spam": _l("Spam"),
    "trash": _l("Trash"),
    "all": _l("All"),
}
ACTION_NAMES = {
    "approve": _l("approved"),
    "trash": _l("moved to trash"),
    "spam": _l("marked as spam"),
    "restore": _l("restored"),
    "edit": _l("edited the text"),
    "delete": _l("deleted permanently"),
    "staff-reply": _l("replied as staff"),
    "unsubscribe": _l("removed an email subscription"),
    "undo": _l("undid the last decision"),
    "privacy-export": _l("privacy export"),
    "privacy-erase": _l("privacy erasure"),
    "purge": _l("purge"),
    "setting": _l("changed a setting"),
    "account-created": _l("added an account"),
    "account-disabled": _l("disabled an account"),
    "account-enabled": _l("re-enabled an account"),
    "role-changed": _l("changed a role"),
    "password-set": _l("set a password"),
    "password-reset": _l("reset a password"),
    "report-hold": _l("held after readers' reports"),
    "reports-kept": _l("kept; reports dismissed"),
}
# What a moderator sees when a form's token has run out or was missing: the page again.
EXPIRED = _l("The page had been open too long. Nothing was changed; please try again.")


def _describe_audit(*args, **kwargs):
    from commentsvc.privacy import rights

    return rights.describe_audit(*args, **kwargs)


@bp.context_processor
def moderation_context():
    return {
        "status_name": lambda s: str(STATUS_NAMES.get(s, s)),
        "action_name": lambda a: str(ACTION_NAMES.get(a, a)),
        "audit_result": _describe_audit,
        "moderator": current_moderator(),
        "describe_reason": policy.describe_reason,
        "reason_codes": policy.reason_codes,
        "action_form": ActionForm(),
        "can_undo": moderation.can_undo,
    }


def safe_next(default: str) -> str:
    """Go back only to a moderation page of this site, never to another host."""
    target = request.values.get("next") or ""
    # Control characters (CR/LF above all) would split the Location header: refused.
    if (
        target.startswith("/moderation/")
        and not target.startswith("//")
        and "\\" not in target
        and target.isprintable()
    ):
        return target
    return default


def actor() -> str:
    return current_moderator().username


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            moderator = accounts.authenticate(
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
    if ActionForm().validate_on_submit():
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


def arg_page() -> int:
    raw = request.args.get("page", "1")
    # isdigit() alone also takes "⁰⁴⁵" and "٣", which int() refuses.
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 7 else 1


@bp.get("/")
@login_required
def queue():
    status = request.args.get("status", "pending")
    if status not in TABS:
        status = "pending"
    article = (request.args.get("article") or "").strip() or None
    search = (request.args.get("q") or "").strip()[:200] or None
    found = load_queue(status, article_key=article, search=search, page=arg_page())
    return render_template(
        "moderation/queue.html",
        view=queue_view(),
        queue=found,
        status=status,
        article=article,
        search=search,
        tabs=TABS,
        bulk_form=BulkForm(),
        last_decision=session.get("last_decision"),
    )


QUEUE_VIEWS = ("cards", "list")


def queue_view() -> str:
    """Cards or the dense list: as asked in the address, else as this moderator last chose."""
    asked = request.args.get("view")
    if asked in QUEUE_VIEWS:
        session["queue_view"] = asked
    view = session.get("queue_view")
    return view if view in QUEUE_VIEWS else "cards"


def _comment_page(found, *, edit_form=None, reply_form=None, status: int = 200):
    return render_template(
        "moderation/comment.html",
        c=found,
        events=events_for([found.id])[found.id],
        edit_form=edit_form or ModeratorEditForm(formdata=None, text=found.text),
        reply_form=reply_form or ModeratorEditForm(formdata=None),
        comment_subscriptions=subscriptions.for_comment(found.id),
    ), status


@bp.get("/comments/<int:comment_id>")
@login_required
def comment(comment_id: int):
    return _comment_page(moderation.get_comment(comment_id))


@bp.post("/comments/<int:comment_id>/subscriptions/<int:subscription_id>/remove")
@login_required
def remove_subscription(comment_id: int, subscription_id: int):
    back = url_for("moderation.comment", comment_id=comment_id) + "#subscriptions"
    if not ActionForm().validate_on_submit():
        flash(str(EXPIRED), "error")
        return redirect(back, code=303)
    if subscriptions.remove_for_moderator(comment_id, subscription_id, by=actor(), now=utcnow()):
        db.session.commit()
        flash(str(_l("The subscription is removed; no more emails go to that address about it.")))
    return redirect(back, code=303)


def _after_action(comment_id: int, action: str, next_focus: str | None):
    session["last_decision"] = comment_id if action != "undo" else None
    flash(str(DONE[action] % {"id": comment_id}))
    target = safe_next(url_for("moderation.queue"))
    if next_focus and next_focus.isdigit():
        target += f"#row-{next_focus}"
    return redirect(target, code=303)


ACTION_RULE = "<any(approve, 'approve-with-parent', trash, spam, restore, undo):action>"


@bp.post(f"/comments/<int:comment_id>/{ACTION_RULE}")
@login_required
def act(comment_id: int, action: str):
    back = safe_next(url_for("moderation.queue")) + f"#row-{comment_id}"
    if not ActionForm().validate_on_submit():
        flash(str(EXPIRED), "error")
        return redirect(back, code=303)
    now, by = utcnow(), actor()
    try:
        if action == "approve":
            moderation.approve(comment_id, by=by, now=now)
        elif action == "approve-with-parent":
            moderation.approve(comment_id, by=by, now=now, with_parents=True)
        elif action == "trash":
            moderation.trash(comment_id, by=by, now=now)
        elif action == "spam":
            moderation.mark_spam(comment_id, by=by, now=now)
        elif action == "restore":
            moderation.restore(comment_id, by=by, now=now)
        else:
            moderation.undo_last(comment_id, by=by, now=now)
    except moderation.ModerationRefused as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(back, code=303)
    db.session.commit()
    return _after_action(comment_id, action, request.form.get("next_focus"))


@bp.post("/comments/<int:comment_id>/edit")
@login_required
def edit(comment_id: int):
    found = moderation.get_comment(comment_id)
    form = ModeratorEditForm()
    if form.validate_on_submit():
        try:
            moderation.edit(comment_id, form.text.data, by=actor(), now=utcnow())
        except DomainError as error:
            db.session.rollback()
            form.text.errors = [error.message]
            return _comment_page(moderation.get_comment(comment_id), edit_form=form, status=422)
        db.session.commit()
        flash(str(_l("Comment %(id)s is saved.", id=comment_id)))
        return redirect(url_for("moderation.comment", comment_id=comment_id), code=303)
    if form.csrf_token.errors:
        form.text.errors = [*form.text.errors, EXPIRED]
    return _comment_page(found, edit_form=form, status=422)


@bp.post("/comments/<int:comment_id>/reply")
@login_required
def reply(comment_id: int):
    found = moderation.get_comment(comment_id)
    form = ModeratorEditForm()
    if form.validate_on_submit():
        me = current_moderator()
        try:
            staff_reply = moderation.reply_as_staff(
                comment_id,
                form.text.data,
                by=me.username,
                author=me.public_name,
                email=me.email,
                now=utcnow(),
            )
        except DomainError as error:
            # Nothing of it is kept: the parent is not published without its reply.
            db.session.rollback()
            form.text.errors = [error.message]
            return _comment_page(moderation.get_comment(comment_id), reply_form=form, status=422)
        db.session.commit()
        flash(str(_l("Your reply is published as comment %(id)s.", id=staff_reply.id)))
        return redirect(url_for("moderation.comment", comment_id=comment_id), code=303)
    if form.csrf_token.errors:
        form.text.errors = [*form.text.errors, EXPIRED]
    return _comment_page(found, reply_form=form, status=422)


@bp.get("/comments/<int:comment_id>/confirm-delete")
@admin_required
def confirm_delete(comment_id: int):
    return render_template("moderation/delete.html", c=moderation.get_comment(comment_id))


@bp.post("/comments/<int:comment_id>/delete")
@admin_required
def delete(comment_id: int):
    found = moderation.get_comment(comment_id)
    if not ActionForm().validate_on_submit() or request.form.get("confirm") != "yes":
        message = _l("Confirm with the button below to delete the comment permanently.")
        return render_template("moderation/delete.html", c=found, refusal=message), 422
    try:
        moderation.delete_permanently(comment_id, by=actor(), now=utcnow())
    except moderation.ModerationRefused as error:
        db.session.rollback()
        found = moderation.get_comment(comment_id)
        return render_template("moderation/delete.html", c=found, refusal=error.message), 409
    db.session.commit()
    flash(str(_l("Comment %(id)s is deleted permanently.", id=comment_id)))
    return redirect(url_for("moderation.queue", status="trash"), code=303)


@bp.post("/bulk")
@login_required
def bulk():
    form = BulkForm()
    back = safe_next(url_for("moderation.queue"))
    if not form.validate_on_submit():
        flash(str(EXPIRED), "error")
        return redirect(back, code=303)
    ids = [i for i in map(parse_id, request.form.getlist("ids")) if i is not None][:500]
    try:
        done = moderation.bulk(form.action.data, ids, by=actor(), now=utcnow())
    except moderation.ModerationRefused as error:
        db.session.rollback()
        flash(str(error.message), "error")
        for refusal in getattr(error, "refusals", []):
            flash(refusal, "error")
        return redirect(back, code=303)
    db.session.commit()
    flash(str(ngettext("%(num)d comment updated.", "%(num)d comments updated.", done)))
    return redirect(back, code=303)


# --- admins: moderators and settings ---------------------------------------------------


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
    if not ActionForm().validate_on_submit():
        flash(str(EXPIRED), "error")
        return redirect(url_for("moderation.moderators"), code=303)
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
    if not ActionForm().validate_on_submit():
        flash(str(EXPIRED), "error")
        return redirect(url_for("moderation.moderators"), code=303)
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
    if not ActionForm().validate_on_submit():
        flash(str(EXPIRED), "error")
        return redirect(url_for("moderation.moderators"), code=303)
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
    if not ActionForm().validate_on_submit():
        flash(str(EXPIRED), "error")
        return redirect(safe_next(url_for("moderation.queue")), code=303)
    me = current_moderator()
    accounts.set_notify(me.id, request.form.get("notify") == "on")
    db.session.commit()
    flash(str(_l("Your mail setting is saved.")))
    return redirect(safe_next(url_for("moderation.queue")), code=303)


@bp.route("/settings", methods=["GET", "POST"])
@admin_required
def settings_page():
    effective = settings.effective_config()
    form = SettingsForm(
        data=None
        if request.method == "POST"
        else {
            **{key: effective[key] for key in settings.EDITABLE},
            "MODERATION_KEYS": "\n".join(effective["MODERATION_KEYS"]),
            "DISALLOWED_KEYS": "\n".join(effective["DISALLOWED_KEYS"]),
        }
    )
    if form.validate_on_submit():
        try:
            settings.save_settings(
                {key: getattr(form, key).data for key in settings.EDITABLE},
                by=actor(),
                now=utcnow(),
            )
        except DomainError as error:
            db.session.rollback()
            getattr(form, error.field).errors = [error.message]
        else:
            db.session.commit()
            flash(str(_l("The settings are saved and apply at once.")))
            return redirect(url_for("moderation.settings_page"), code=303)
    status = 422 if request.method == "POST" else 200
    return render_template("moderation/settings.html", form=form), status


@bp.app_template_global()
def moderation_messages():
    return get_flashed_messages(with_categories=True)


# --- issue 5: data-subject requests (GDPR art. 15 and 17) for admins -----------------------


def _privacy_page(form: PrivacyForm, status: int = 200, **context):
    from commentsvc.privacy import rights

    return render_template(
        "moderation/privacy.html", form=form, audit=rights.recent_audit(), **context
    ), status


@bp.get("/privacy")
@admin_required
def privacy():
    return _privacy_page(PrivacyForm(formdata=None))


@bp.post("/privacy/lookup")
@admin_required
def privacy_lookup():
    """What is stored about the email, shown on the page (an access: it is audited)."""
    from commentsvc.privacy import rights

    form = PrivacyForm()
    if not form.validate_on_submit():
        return _privacy_page(form, 422)
    document = rights.personal_data(form.email.data, now=utcnow(), by=actor())
    db.session.commit()
    return _privacy_page(
        form,
        document=document,
        found=rights.has_data(document),
        pretty=json.dumps(document, ensure_ascii=False, indent=2),
    )


@bp.post("/privacy/export")
@admin_required
def privacy_export():
    """The same document as ``privacy-export``, as a file to hand over to the person."""
    from commentsvc.privacy import rights

    form = PrivacyForm()
    if not form.validate_on_submit():
        return _privacy_page(form, 422)
    now = utcnow()
    document = rights.personal_data(form.email.data, now=now, by=actor())
    db.session.commit()
    response = Response(
        json.dumps(document, ensure_ascii=False, indent=2) + "\n",
        mimetype="application/json",
    )
    response.headers["Content-Disposition"] = (
        f'attachment; filename="personal-data-{now:%Y%m%d-%H%M%S}.json"'
    )
    return response


@bp.post("/privacy/erase")
@admin_required
def privacy_erase():
    """First a confirmation page; with ``confirm=yes`` from it, the erasure."""
    from commentsvc.privacy import rights

    form = PrivacyForm()
    if not form.validate_on_submit():
        return _privacy_page(form, 422)
    email, remove_texts = form.email.data, bool(form.delete.data)
    if request.form.get("confirm") != "yes":
        return render_template("moderation/privacy_erase.html", form=form)
    try:
        result = rights.erase(email, delete=remove_texts, now=utcnow(), by=actor())
    except DomainError as error:
        # Refused (an active moderator's address): said beside the field, the address kept.
        db.session.rollback()
        form.email.errors = [error.message]
        return _privacy_page(form, error.status)
    db.session.commit()
    if not result.found:
        flash(str(_l("Nothing is stored about this email address; nothing was changed.")))
    else:
        flash(rights.describe_erasure(result.anonymized, result.deleted, result.other))
    return redirect(url_for("moderation.privacy"), code=303)


# --- the audit log, for admins ---------------------------------------------------------------


@bp.get("/log")
@admin_required
def log():
    """Every recorded event, newest first, filtered by kind, moderator and dates."""
    form = AuditFilterForm(request.args, meta={"csrf": False})
    valid = form.validate()
    found = audit.log_page(
        kind=form.kind.data or None,
        actor=form.actor.data or None,
        since=form.since_moment() if valid else None,
        until=form.until_moment() if valid else None,
        page=arg_page(),
    )
    return render_template(
        "moderation/log.html",
        form=form,
        found=found,
        kinds=audit.KINDS,
        readable=audit.readable_detail,
    ), 200 if valid else 422
