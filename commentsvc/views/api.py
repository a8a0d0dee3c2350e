"""The JSON API v1: the thread, posting, the author's edits, counts, and its OpenAPI description.

The same form, service and serializer as the plain page; this module only turns JSON into
those calls and back. Cross-origin rules (CORS, the Origin and content-type checks that stand
in for the form's CSRF token) are here too, because they only concern the API.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, current_app, request
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from commentsvc import threads
from commentsvc.errors import (
    HTTP_MESSAGES,
    InvalidRequest,
    OriginNotAllowed,
    UnsupportedContentType,
    error_response,
)
from commentsvc.extensions import csrf, db
from commentsvc.forms.comment import ARTICLE_KEY, CommentForm, EditForm, formdata_from_json
from commentsvc.models import utcnow
from commentsvc.notify import subscriptions
from commentsvc.privacy import addresses
from commentsvc.privacy.addresses import anonymize_ip
from commentsvc.ratelimits import limit_comment_posts
from commentsvc.threads.antispam import issue_stamp
from commentsvc.views import _shared
from commentsvc.views._shared import SUBSCRIPTION_NOTES, open_new_or_existing, page_arg
from commentsvc.web import readcache
from commentsvc.weburls import public_base, public_url, safe_href

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# The API does not read the session cookie, so Flask-WTF's session-bound token has nothing
# to protect; the Origin and content-type checks below take its place (docs/security.md).
csrf.exempt(bp)

MAX_COUNT_KEYS = 100
MAX_BODY_BYTES = 64 * 1024
EDIT_TOKEN_HEADER = "X-Edit-Token"  # noqa: S105 (a header name, not a secret)
OWN_TOKENS_HEADER = "X-Own-Comments"
WRITE_METHODS = ("POST", "PATCH", "DELETE")


def allowed_origin(origin: str) -> bool:
    return origin in current_app.config["ALLOWED_ORIGINS"]


@bp.before_request
def refuse_foreign_writes():
    """Writes come only from allowed host pages (or the service itself), and only as JSON.

    Browsers always send ``Origin`` on cross-origin requests and on same-origin writes, so a
    page elsewhere cannot hide where it is; a request without one is not from a browser page
    and carries no cookies the API would trust. Requiring ``application/json`` means a plain
    HTML form on another site cannot post here at all, and a script there must first pass the
    CORS preflight, which only allowed origins pass.
    """
    if request.method not in WRITE_METHODS:
        return None
    origin = request.headers.get("Origin")
    if origin is not None:
        origin = origin.rstrip("/")
        if not (allowed_origin(origin) or origin == request.host_url.rstrip("/")):
            raise OriginNotAllowed(_l("This website may not post comments here."))
    if request.method != "DELETE" and request.mimetype != "application/json":
        raise UnsupportedContentType(
            _l("Send the comment as JSON, with the header Content-Type: application/json.")
        )
    # A comment is at most 5000 characters: a larger body is refused before it is read, and
    # one sent without a length is cut off with 413 while it is read.
    if (request.content_length or 0) > MAX_BODY_BYTES:
        return error_response(413, "request_entity_too_large", HTTP_MESSAGES[413])
    request.max_content_length = MAX_BODY_BYTES
    return None


@bp.after_app_request
def cross_origin_headers(response):
    """CORS for the API, answered only to the host sites in ALLOWED_ORIGINS."""
    if not request.path.startswith("/api/"):
        return response
    response.vary.add("Origin")
    origin = (request.headers.get("Origin") or "").rstrip("/")
    if origin and allowed_origin(origin):
        headers = response.headers
        headers["Access-Control-Allow-Origin"] = origin
        headers["Access-Control-Allow-Credentials"] = "true"
        if request.method == "OPTIONS":
            headers["Access-Control-Allow-Methods"] = "GET, POST, PATCH, DELETE"
            headers["Access-Control-Allow-Headers"] = (
                f"Content-Type, {EDIT_TOKEN_HEADER}, {OWN_TOKENS_HEADER}"
            )
            headers["Access-Control-Max-Age"] = "600"
    return response


def json_object() -> dict[str, Any]:
    """The request's body as a JSON object, or a clear 4xx."""
    try:
        body = json.loads(request.get_data(cache=True) or b"")
    except (ValueError, RecursionError) as error:  # UnicodeDecodeError is a ValueError
        raise InvalidRequest(_l("The body is not valid JSON."), field="body") from error
    if not isinstance(body, dict):
        raise InvalidRequest(
            _l('The body must be a JSON object, like {"comment": "…", "author": "…"}.'),
            field="body",
        )
    return body


def field_errors(*sources: dict) -> dict[str, list]:
    merged: dict[str, list] = {}
    for source in sources:
        for name, messages in source.items():
            if name != "csrf_token":
                merged[name] = list(messages)
    return merged


def invalid_fields(errors: dict[str, list]):
    return error_response(422, "invalid", HTTP_MESSAGES[422], errors)


def avatar_url(key: str) -> str:
    return public_url("public.avatar", key=key)


def article_key(value: str | None) -> str:
    key = (value or "").strip()
    if not ARTICLE_KEY.fullmatch(key):
        raise InvalidRequest(
            _l("The article key must be 1–200 characters without spaces or control characters."),
            field="article",
        )
    return key


def privacy_notice() -> dict[str, str | None]:
    text, url = addresses.notice()
    return {"text": text, "url": url or None}


def embed_texts() -> dict[str, str]:
    """The words embed.js shows, in the reader's language (the same texts as the plain page)."""
    form = CommentForm(formdata=None, meta={"csrf": False})
    return {
        "leave_reply": _("Leave a reply"),
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
    """The thread as JSON, with an ETag from the thread's version (threads/reading.py).

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
    summary = _shared.thread_summary(article, own)
    page, _pages = threads.page_and_pages(summary, page_arg())
    closed = threads.is_closed(article, now)
    texts = bool(request.args.get("texts"))
    shape = ("api", article.id, page, str(get_locale()), texts, closed)
    # Own comments are editable for a while: a new tag each minute while the reader has some.
    personal = (sorted(tokens.items()), now.replace(second=0, microsecond=0)) if own else None
    etag = _shared.thread_etag(summary, *shape, personal=personal)
    if _shared.not_modified(etag):
        return own_copy_varies(_shared.not_modified_response(etag, private=bool(own)))

    if not own:
        readcache.share({article.id: summary.version}, until=threads.closes_at(article))
    thread = threads.load_thread(article, own_ids=own, page=page, summary=summary)
    body = {
        "article": {
            "key": article.key,
            "title": article.title,
            "url": safe_href(article.url),
            "closed": closed,
        },
        "lang": str(get_locale()),
        "heading": heading(thread),
        "count": thread.approved_count,
        "page": thread.page,
        "pages": thread.pages,
        "comments": threads.public_thread(thread, avatar_url, own),
        "form": {"edit_window_minutes": current_app.config["EDIT_WINDOW_MINUTES"]},
        "privacy": privacy_notice(),
    }
    if texts:
        body["texts"] = embed_texts()
    response = current_app.response_class(
        current_app.json.dumps(body) + "\n", mimetype="application/json"
    )
    return own_copy_varies(_shared.with_cache_headers(response, etag, private=bool(own)))


def own_copy_varies(response):
    """Readers who send edit tokens get another body: a shared cache must key on them."""
    response.vary.add(OWN_TOKENS_HEADER)
    return response


@bp.get("/stamp")
def form_stamp():
    """A fresh stamp for the form's ``ts`` (the time-trap, antispam.py): when the form was
    shown. Never cached, so the thread itself can be."""
    response = current_app.make_response({"ts": issue_stamp(utcnow())})
    response.headers["Cache-Control"] = "no-store"
    return response


def created_body(comment, now) -> dict[str, Any]:
    return {
        "comment": threads.public_comment(comment, avatar_url, own=True),
        "pending": comment.status != "approved",
        "page": threads.page_of(comment, frozenset({comment.id})),
        "edit_token": threads.issue_edit_token(comment, now),
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
    comment = threads.post_comment(
        article,
        form.draft(),
        ip=anonymize_ip(request.remote_addr),
        now=now,
        signals=form.signals(now),
    )
    db.session.commit()
    return created_body(comment, now), 201


@bp.patch("/comments/<int(max=2147483647):comment_id>")
def edit_comment(comment_id: int):
    data, type_errors = formdata_from_json(json_object(), ("comment",))
    form = EditForm(formdata=data, meta={"csrf": False})
    form.validate()
    errors = field_errors(form.errors, type_errors)
    if errors:
        return invalid_fields(errors)
    comment = threads.edit_comment(
        comment_id,
        form.comment.data,
        token=request.headers.get(EDIT_TOKEN_HEADER),
        now=utcnow(),
    )
    db.session.commit()
    return {
        "comment": threads.public_comment(comment, avatar_url, own=True),
        "pending": comment.status != "approved",
    }


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
        response.headers["Cache-Control"] = _shared.cache_control(private=False)
        readcache.share(None)
    return response


@bp.get("/openapi.json")
def openapi():
    from commentsvc.openapi import openapi_description  # loads when asked for, not in every worker

    return openapi_description(public_base() or "/")
