"""What the moderators' pages share: the blueprint, its page context, and the actor."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    request,
)
from flask_babel import lazy_gettext as _l

from commentsvc import audit, moderation
from commentsvc.forms.desk import (
    ActionForm,
)
from commentsvc.moderation import access
from commentsvc.moderation.auth import (
    current_access,
    current_moderator,
)
from commentsvc.threads import policy

bp = Blueprint("moderation", __name__, url_prefix="/moderation")

DONE = {
    "approve": _l("Comment %(id)s is approved."),
    "approve-with-parent": _l("Comment %(id)s is approved, with the comment it replies to."),
    "trash": _l("Comment %(id)s is in the trash."),
    "spam": _l("Comment %(id)s is marked as spam."),
    "restore": _l("Comment %(id)s is restored."),
    "undo": _l("The last decision on comment %(id)s is undone."),
    "approve-edit": _l("The author's new text of comment %(id)s is published."),
    "reject-edit": _l("The author's edit of comment %(id)s is rejected; the published text stays."),
    "unapprove": _l("Comment %(id)s is back in the queue."),
    "pick": _l("Comment %(id)s is an editors' pick."),
    "unpick": _l("Comment %(id)s is no longer an editors' pick."),
}


@bp.after_request
def no_store(response):
    # Moderation pages hold emails and addresses: never kept by a shared cache or the back button.
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    return response


def keep_to_own_sites():
    """Every route about one comment, article or account answers 404 to a moderator who works on
    other sites than its: they must not learn that it exists. A route for admins about a comment
    of a site where the account is a moderator only answers 403, as for any moderator."""
    if current_moderator() is None or not request.view_args:
        return  # the route's own guard sends the visitor to the login page
    mine = current_access()
    comment_id = request.view_args.get("comment_id")
    site = access.site_of_comment(comment_id) if comment_id and mine.sites is not None else None
    if site is not None:  # (no such comment: the route says so itself)
        if not mine.sees(site):
            abort(404)
        view = current_app.view_functions.get(request.endpoint)
        if getattr(view, "admin_only", False) and mine.is_admin and not mine.admin_of(site):
            abort(403)
    article_id = request.view_args.get("article_id")
    if article_id is not None and mine.sites is not None:
        article_site = access.site_of_article(article_id)
        if article_site is not None and not mine.sees(article_site):
            abort(404)
    moderator_id = request.view_args.get("moderator_id")
    if (
        moderator_id is not None
        and mine.is_admin
        and not mine.installation_admin
        and not access.sees_account(mine, access.site_roles(moderator_id))
    ):
        abort(404)


bp.before_request(keep_to_own_sites)


STATUS_NAMES = {
    "pending": _l("Pending"),
    "approved": _l("Approved"),
    "spam": _l("Spam"),
    "trash": _l("Trash"),
    "all": _l("All"),
}


@bp.context_processor
def moderation_context():
    signed_in = current_moderator() is not None
    mine = current_access() if signed_in else None
    return {
        "access": mine,
        # The sites the account sees, id: name; a page names a comment's site when there are
        # several.
        "site_names": {s.id: s.name for s in access.visible_sites(mine)} if mine else {},
        "status_name": lambda s: str(STATUS_NAMES.get(s, s)),
        "action_name": audit.label,
        "audit_detail": audit.describe,
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
