"""The queue and the actions on one comment or many."""

from __future__ import annotations

from datetime import timedelta

from flask import (
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from commentsvc import moderation
from commentsvc.dates import day_start
from commentsvc.errors import DomainError
from commentsvc.extensions import db
from commentsvc.forms.comment import parse_id
from commentsvc.forms.desk import (
    BulkForm,
    ModeratorEditForm,
    QueueFilterForm,
)
from commentsvc.models.base import utcnow
from commentsvc.moderation import access, accounts, revisions
from commentsvc.moderation.auth import (
    admin_required,
    current_access,
    current_moderator,
    login_required,
)
from commentsvc.moderation.desk import (
    TABS,
    QueueFilter,
    QueuePage,
    events_for,
    load_queue,
    thread_places,
)
from commentsvc.notify import subscriptions
from commentsvc.sites import config_for
from commentsvc.views.moderation._common import DONE, actor, bp, safe_next


def arg_page() -> int:
    raw = request.args.get("page", "1")
    # isdigit() alone also takes "⁰⁴⁵" and "٣", which int() refuses.
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 7 else 1


def queue_zone(site: str | None) -> str:
    """The time zone the queue's dates are typed in: the chosen site's, the only site's of an
    account of one site, else the installation's."""
    mine = current_access()
    if site and not mine.sees(site):
        site = None  # another site's settings are not this account's to read, its zone either
    if not site and mine.sites is not None and len(mine.sites) == 1:
        site = next(iter(mine.sites))
    return config_for(site)["TIMEZONE"]


def queue_filter(form: QueueFilterForm, zone: str) -> QueueFilter:
    until = form.until.data + timedelta(days=1) if form.until.data else None
    return QueueFilter(
        article=form.article.data or None,
        search=form.q.data or None,
        person=form.person.data or None,
        network=form.network.data or None,
        since=day_start(form.since.data, zone) if form.since.data else None,
        until=day_start(until, zone) if until else None,
        sort=form.sort.data or None,
    )


def filter_args(form: QueueFilterForm, site: str | None) -> dict[str, str]:
    """The queue's filters as query arguments (empty ones left out), for its links: tabs,
    pages and views keep what the moderator narrowed the list to."""
    values = {
        "article": form.article.data,
        "q": form.q.data,
        "person": form.person.raw_data[0] if form.person.raw_data else "",
        "network": form.network.raw_data[0] if form.network.raw_data else "",
        "since": form.since.raw_data[0] if form.since.raw_data else "",
        "until": form.until.raw_data[0] if form.until.raw_data else "",
        "sort": form.sort.data,
        "site": site,
    }
    return {key: value for key, value in values.items() if value}


@bp.get("/")
@login_required
def queue():
    form = QueueFilterForm(request.args, meta={"csrf": False})
    valid = form.validate()
    status = form.status.data if form.status.data in TABS else "pending"
    site = request.args.get("site") or None
    sites = current_access().narrowed(site)
    zone = queue_zone(site)
    # An invalid filter lists nothing: a list under a filter that was not applied would pass
    # for its answer.
    found = (
        load_queue(status, narrowed=queue_filter(form, zone), sites=sites, page=arg_page())
        if valid
        else QueuePage([], {}, {}, dict.fromkeys(TABS, 0), 1, 1, 0)
    )
    return render_template(
        "moderation/queue.html",
        view=queue_view(),
        queue=found,
        status=status,
        form=form,
        filters=filter_args(form, site),
        zone=zone,
        site=site,
        tabs=TABS,
        bulk_form=BulkForm(),
        last_decision=session.get("last_decision"),
    ), 200 if valid else 422


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
        revision=revisions.pending_edit(found.id),
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


def wants_json() -> bool:
    """The desk's script asks for JSON (``Accept: application/json``); a plain form, HTML."""
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def _decision_answer(comment_id: int, action: str, before: str):
    """What the desk's script needs after a decision, from the same view as the plain form:
    the message, the comment's status now, its row as the list shows it (the script puts it
    in place or takes the row out), and where "Undo" posts."""
    session["last_decision"] = comment_id if action != "undo" else None
    found = moderation.get_comment(comment_id)
    view = request.form.get("view") if request.form.get("view") in QUEUE_VIEWS else "list"
    next_url = safe_next(url_for("moderation.queue"))
    row = render_template(
        "moderation/_queue_row.html",
        c=found,
        view=view,
        next_url=next_url,
        revision=revisions.pending_edits([found.id]).get(found.id),
        place=thread_places([found])[found.id],
        events=events_for([found.id])[found.id],
    )
    undo = None
    if moderation.can_undo(found.id):
        undo = url_for("moderation.act", comment_id=found.id, action="undo")
    return {
        "id": found.id,
        "action": action,
        "before": before,
        "status": found.status.value,
        "picked": found.picked,
        "message": str(DONE[action] % {"id": comment_id}),
        "undo": undo,
        "undo_label": str(_l("Undo the last decision (comment %(id)s)", id=found.id)),
        "row": row,
    }


ACTION_RULE = (
    "<any(approve, 'approve-with-parent', trash, spam, restore, undo, 'approve-edit', "
    "'reject-edit', unapprove, pick, unpick):action>"
)
DECISIONS = {
    "approve": moderation.approve,
    "trash": moderation.trash,
    "spam": moderation.mark_spam,
    "restore": moderation.restore,
    "undo": moderation.undo_last,
    "unapprove": moderation.unapprove,
    "pick": moderation.pick,
    "unpick": moderation.unpick,
    "approve-edit": revisions.approve_edit,
    "reject-edit": revisions.reject_edit,
}


@bp.post(f"/comments/<int:comment_id>/{ACTION_RULE}")
@login_required
def act(comment_id: int, action: str):
    back = safe_next(url_for("moderation.queue")) + f"#row-{comment_id}"
    now, by = utcnow(), actor()
    before = moderation.get_comment(comment_id).status.value
    try:
        if action == "approve-with-parent":
            moderation.approve(comment_id, by=by, now=now, with_parents=True)
        else:
            DECISIONS[action](comment_id, by=by, now=now)
    except moderation.ModerationRefused as error:
        db.session.rollback()
        if wants_json():
            return {"error": error.code, "message": str(error.message)}, error.status
        flash(str(error.message), "error")
        return redirect(back, code=303)
    db.session.commit()
    if wants_json():
        return _decision_answer(comment_id, action, before)
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
                author=accounts.staff_name(me, found.article.site_id),
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
    return _comment_page(found, reply_form=form, status=422)


@bp.get("/comments/<int:comment_id>/confirm-delete")
@admin_required
def confirm_delete(comment_id: int):
    return render_template("moderation/delete.html", c=moderation.get_comment(comment_id))


@bp.post("/comments/<int:comment_id>/delete")
@admin_required
def delete(comment_id: int):
    found = moderation.get_comment(comment_id)
    if request.form.get("confirm") != "yes":
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
    ids = [i for i in map(parse_id, request.form.getlist("ids")) if i is not None][:500]
    # Another site's comments are not there for this moderator: left out, as unknown ids are.
    ids = access.visible_ids(current_access(), ids)
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
