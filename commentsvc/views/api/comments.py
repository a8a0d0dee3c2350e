"""The JSON API of threads and comments: read, post, edit, delete, counts, the form's
stamp and the OpenAPI description."""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from commentsvc import threads
from commentsvc.errors import (
    InvalidRequest,
)
from commentsvc.extensions import csrf, db
from commentsvc.forms.comment import CommentForm, EditForm, declared_limits, formdata_from_json
from commentsvc.models.base import utcnow
from commentsvc.notify import subscriptions
from commentsvc.privacy import addresses
from commentsvc.ratelimits import limit_comment_posts
from commentsvc.sites import current_site_id, effective_config
from commentsvc.threads import proofofwork
from commentsvc.threads.antispam import issue_stamp
from commentsvc.views._shared import EDIT_REVIEW_NOTE, SUBSCRIPTION_NOTES, Posted, post_form
from commentsvc.views._thread import cache_control, open_new_or_existing, read_thread
from commentsvc.views.api._common import (
    EDIT_TOKEN_HEADER,
    OWN_TOKENS_HEADER,
    article_key,
    avatar_url,
    bp,
    field_errors,
    invalid_fields,
    json_object,
)
from commentsvc.web import readcache
from commentsvc.weburls import public_base, safe_href

# The API does not read the session cookie, so Flask-WTF's session-bound token has nothing
# to protect; the Origin and content-type checks below take its place (docs/security.md).
csrf.exempt(bp)

MAX_COUNT_KEYS = 100


def privacy_notice() -> dict[str, str | None]:
    text, url = addresses.notice()
    return {
        "text": text,
        "url": url or None,
        "accessibility_url": addresses.accessibility_statement(),
    }


def embed_texts() -> dict[str, str]:
    """The words embed.js shows, in the reader's language (the same texts as the plain page)."""
    form = CommentForm(formdata=None, meta={"csrf": False})
    return {
        "leave_reply": _("Leave a reply"),
        "accessibility": _("Accessibility statement"),
        "reply_to": _("Reply to %(name)s", name="{name}"),
        "cancel_reply": _("Cancel reply"),
        "reply": _("Reply"),
        "comment": str(form.comment.label.text),
        "author": str(form.author.label.text),
        "email": str(form.email.label.text),
        "url": str(form.url.label.text),
        "remember": str(form.remember.label.text),
        "subscribe": str(form.subscribe.label.text),
        "subscribe_replies": str(form.subscribe.description["replies"]),
        "subscribe_article": str(form.subscribe.description["article"]),
        "subscribe_confirm": str(SUBSCRIPTION_NOTES["confirm"]),
        "subscribe_active": str(SUBSCRIPTION_NOTES["active"]),
        "hp": str(form.hp.label.text),
        "post": _("Post comment"),
        "email_notes": _("Your email address will not be published."),
        "required_note": _("Required fields are marked %(star)s", star="*"),
        "summary": _("Your comment was not sent. Correct the following:"),
        "pending": _("Your comment is awaiting moderation."),
        "closed": _("Comments are closed."),
        "need_comment": _("Write a comment."),
        "need_author": _("Enter your name."),
        "need_email": _("Enter your email address. It will not be published."),
        "edit": _("Edit"),
        "delete": _("Delete"),
        "save": _("Save"),
        "cancel": _("Cancel"),
        "edited": _("edited"),
        "confirm_delete": _("Delete your comment?"),
        "failed": _("Something went wrong on our side. Try again in a moment."),
        "pages": _("Pages of comments"),
        "removed": _("The comment has been removed"),
        "report": _("Report"),
        "report_to": _("Report the comment by %(name)s", name="{name}"),
        "more_replies": _("Show more replies (%(num)s)", num="{num}"),
    }


def heading(thread: threads.Thread) -> str:
    if thread.approved_count:
        return ngettext(
            "%(num)d comment on “%(title)s”",
            "%(num)d comments on “%(title)s”",
            thread.approved_count,
            title=thread.article.title,
        )
    return _("No comments yet on “%(title)s”", title=thread.article.title)


def own_tokens() -> list[str]:
    return (request.headers.get(OWN_TOKENS_HEADER) or "").split()


@bp.get("/comments")
def list_comments():
    """The thread as JSON, with an ETag from the thread's version (views/_thread.py).

    Anonymous readers all get the same body, so it is ``public`` (a CDN may keep it) and each
    worker keeps the answer while the thread keeps its version (readcache.py). A reader who
    proves with edit tokens (``X-Own-Comments``) that they wrote comments here gets a
    ``private`` copy with their pending ones. The form's anti-spam stamp is not in the body (it
    would be the same old stamp for everyone): the embed fetches it from ``GET /api/v1/stamp``.
    """
    article = open_new_or_existing(article_key(request.args.get("article")))
    now = utcnow()
    tokens = threads.tokens_by_comment(own_tokens(), now)
    own = frozenset(tokens)
    texts = bool(request.args.get("texts"))
    # Own comments are editable for a while: a new tag each minute while the reader has some.
    personal = (sorted(tokens.items()), now.replace(second=0, microsecond=0)) if own else None
    read = read_thread(
        article, own, private=bool(own), tagged=("api", texts), personal=personal, now=now
    )
    unchanged = read.unchanged()
    if unchanged is not None:
        return own_copy_varies(unchanged)
    if not own:
        read.share()
    thread = read.load()
    body = {
        "article": {
            "key": article.key,
            "site": article.site_id,
            "title": article.title,
            "url": safe_href(article.url),
            "closed": read.closed,
        },
        "lang": str(get_locale()),
        "heading": heading(thread),
        "count": thread.approved_count,
        "page": thread.page,
        "pages": thread.pages,
        "comments": threads.public_thread(thread, avatar_url, own, closed=read.closed),
        "form": {
            "edit_window_minutes": effective_config()["EDIT_WINDOW_MINUTES"],
            "limits": declared_limits(CommentForm),
        },
        "privacy": privacy_notice(),
    }
    if texts:
        body["texts"] = embed_texts()
    response = current_app.response_class(
        current_app.json.dumps(body) + "\n", mimetype="application/json"
    )
    return own_copy_varies(read.finish(response))


def own_copy_varies(response):
    """Readers who send edit tokens get another body: a shared cache must key on them."""
    response.vary.add(OWN_TOKENS_HEADER)
    return response


@bp.get("/stamp")
def form_stamp():
    """A fresh stamp for the form's ``ts`` (the time-trap, antispam.py): when the form was
    shown; and, when the site asks for proof of work, a fresh challenge for the form's
    ``altcha`` (proofofwork.py). Never cached, so the thread itself can be."""
    now = utcnow()
    body: dict[str, Any] = {"ts": issue_stamp(now)}
    if proofofwork.required(effective_config()):
        body["altcha"] = proofofwork.issue_challenge(current_site_id(), now)
    response = current_app.make_response(body)
    response.headers["Cache-Control"] = "no-store"
    return response


def created_body(posted: Posted, now) -> dict[str, Any]:
    comment = posted.comment
    closed = threads.is_closed(comment.article, now)
    return {
        "comment": threads.public_comment(comment, avatar_url, closed=closed, own=True),
        "pending": comment.status != "approved",
        "page": threads.page_of(comment, frozenset({comment.id})),
        "edit_token": posted.edit_token,
        "edit_until": threads.edit_deadline(comment).isoformat(),
        "subscription": subscriptions.state_of(comment.id),
    }


@bp.post("/comments")
@limit_comment_posts
def create_comment():
    data, type_errors = formdata_from_json(json_object())
    form = CommentForm(formdata=data, meta={"csrf": False})
    form.validate()
    errors = field_errors(form.errors, type_errors)
    if errors:
        return invalid_fields(errors)
    article = threads.find_article(form.article.data)
    now = utcnow()
    posted = post_form(article, form, now=now)
    db.session.commit()
    return created_body(posted, now), 201


@bp.patch("/comments/<int(max=2147483647):comment_id>")
def edit_comment(comment_id: int):
    data, type_errors = formdata_from_json(json_object(), ("comment",))
    form = EditForm(formdata=data, meta={"csrf": False})
    form.validate()
    errors = field_errors(form.errors, type_errors)
    if errors:
        return invalid_fields(errors)
    now = utcnow()
    edited = threads.edit_comment(
        comment_id, form.comment.data, token=request.headers.get(EDIT_TOKEN_HEADER), now=now
    )
    db.session.commit()
    comment = edited.comment
    closed = threads.is_closed(comment.article, now)
    body = {
        # As readers see it: the approved text while an edit waits for review.
        "comment": threads.public_comment(comment, avatar_url, closed=closed, own=True),
        "pending": comment.status != "approved",
        "edit_pending": edited.awaits_review,
    }
    if edited.awaits_review:
        body["message"] = str(EDIT_REVIEW_NOTE)
    return body


@bp.delete("/comments/<int(max=2147483647):comment_id>")
def delete_comment(comment_id: int):
    threads.delete_comment(comment_id, token=request.headers.get(EDIT_TOKEN_HEADER), now=utcnow())
    db.session.commit()
    return "", 204


@bp.get("/counts")
def counts():
    keys = request.args.getlist("article")
    if len(keys) > MAX_COUNT_KEYS:
        raise InvalidRequest(
            _l(
                "Ask for at most %(limit)s articles at a time; this asked for %(count)s.",
                limit=MAX_COUNT_KEYS,
                count=len(keys),
            ),
            field="article",
        )
    response = current_app.make_response(
        {"counts": threads.count_comments([article_key(k) for k in keys])}
    )
    if request.args.get("fresh"):
        # The embed of a browser that has just posted asks past the caches: it must see its
        # own comment counted, and the answer is worth keeping for no one else.
        response.headers["Cache-Control"] = "no-store"
    else:
        # The same for every reader: a CDN may keep a front page's counts for a few seconds,
        # and each worker until anything is written (readcache.py).
        response.headers["Cache-Control"] = cache_control(private=False)
        readcache.share(None)
    return response


@bp.get("/openapi.json")
def openapi():
    from commentsvc.openapi import openapi_description  # loads when asked for, not in every worker

    return openapi_description(public_base() or "/")
