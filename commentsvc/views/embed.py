"""What a host page embeds: the script (/embed.js) and the page for an iframe (/embed).

The iframe page is the plain thread and form, rendered by the same templates. Inside a
cross-site iframe the browser does not send our SameSite=Lax session cookie, so this page does
not rely on it: the form has no session-bound CSRF token (the Origin check below stands in),
and the author's own comments are named by signed edit tokens carried in the page's address.
"""

from __future__ import annotations

import functools
import json
import os
import re

import rjsmin
from flask import Blueprint, Response, redirect, request, url_for
from flask_babel import lazy_gettext as _l

from commentsvc import threads
from commentsvc.errors import CommentRejected, EditWindowClosed, OriginNotAllowed
from commentsvc.extensions import csrf, db
from commentsvc.forms.comment import CommentForm, EditForm
from commentsvc.models.base import utcnow
from commentsvc.models.threads import Comment
from commentsvc.ratelimits import limit_comment_posts
from commentsvc.sites import effective_config
from commentsvc.views._shared import reply_target, submit, subscription_state
from commentsvc.views._thread import render_thread, requested_thread
from commentsvc.weburls import from_own_origin

bp = Blueprint("embed", __name__)

STATIC = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "static")
OWN_KEPT = 20
CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)


def embed_script() -> str:
    """embed.js with its stylesheet put in: one small request for the host page, minified
    (comments and indentation out, by rjsmin) once per version of the two files."""
    paths = [os.path.join(STATIC, name) for name in ("embed.js", "embed.css")]
    return _built_script(*paths, *(os.stat(path).st_mtime_ns for path in paths))


@functools.lru_cache(maxsize=1)
def _built_script(js_path: str, css_path: str, *_versions: int) -> str:
    with open(js_path, encoding="utf-8") as js:
        script = rjsmin.jsmin(js.read())
    with open(css_path, encoding="utf-8") as css:
        style = re.sub(r"\s*([{};,>])\s*", r"\1", CSS_COMMENT.sub("", css.read()))
        style = re.sub(r"\s+", " ", style).strip()
    return script.replace('"__CSS__"', _js_string(style), 1)


def _js_string(text: str) -> str:
    # "</" cannot end a script element here, but escaping it costs nothing.
    return json.dumps(text, ensure_ascii=False).replace("</", "<\\/")


@bp.get("/embed.js")
def script():
    response = Response(embed_script(), mimetype="text/javascript")
    response.headers["Cache-Control"] = "public, max-age=300"
    response.add_etag()
    return response.make_conditional(request)


def own_tokens() -> list[str]:
    return [t for t in request.args.getlist("own") if t][-OWN_KEPT:]


def link_args(tokens: list[str]) -> dict:
    return {"own": tokens or None}


def render_embed(article, form, *, status=200, reply_to=None, **context):
    tokens = own_tokens()
    # Host sites may frame these pages (security.py); the headers are set there.
    return render_thread(
        article,
        form,
        status=status,
        reply_to=reply_to,
        template="embed/thread.html",
        own_ids=threads.own_ids_from_tokens(tokens, utcnow()),
        anonymous=not tokens,
        thread_endpoint="embed.frame",
        form_action=url_for("embed.post_comment", own=tokens or None),
        link_args=link_args(tokens),
        # The author's Edit and Delete work with the tokens in the address, not the session.
        edit_tokens=threads.tokens_by_comment(tokens, utcnow()),
        edit_endpoint="embed.edit_own_comment",
        delete_endpoint="embed.delete_own_comment",
        # The host sites that may keep the author's tokens for the iframe (embed-frame.js).
        frame_hosts=effective_config()["ALLOWED_ORIGINS"],
        **context,
    )


@bp.get("/embed")
def frame():
    article, reply_to = requested_thread()
    # No CSRF token (and so no session cookie): see post_comment. The remembered details come
    # from the iframe's own storage (embed-frame.js), as no cookie reaches a cross-site iframe.
    form = blank_form(article)
    form.parent.data = str(reply_to.id) if reply_to else ""
    return render_embed(article, form, reply_to=reply_to)


def require_own_page() -> None:
    """The form was sent by our own iframe page: Origin (or, without it, Referer) is
    PUBLIC_URL's origin (weburls.own_origin), whatever Host the request names."""
    if not from_own_origin():
        raise OriginNotAllowed(_l("This website may not post comments here."))


def blank_form(article) -> CommentForm:
    return CommentForm(formdata=None, article=article.key, meta={"csrf": False})


def back_to(
    comment,
    tokens: list[str],
    anchor: str,
    subscription: str | None = None,
    *,
    review: int | None = None,
) -> str:
    return url_for(
        "embed.frame",
        article=comment.article.key,
        subscription=subscription,
        review=review,
        page=threads.page_of(comment, threads.own_ids_from_tokens(tokens, utcnow())),
        lang=request.form.get("lang") or None,
        own=tokens or None,
        _anchor=anchor,
    )


@bp.post("/embed/comments")
@csrf.exempt
@limit_comment_posts
def post_comment():
    # No session cookie reaches a cross-site iframe, so Flask-WTF's token cannot be checked.
    # A form on another site that posts here sends its own Origin and is refused; the page
    # itself holds nothing a forged post could use (no login, no cookies read).
    require_own_page()
    form = CommentForm(meta={"csrf": False})
    article, posted, status = submit(form)
    if posted is None:
        return render_embed(
            article, form, status=status, reply_to=reply_target(article, form.parent_id)
        )
    comment = posted.comment
    tokens = [*own_tokens(), posted.edit_token][-OWN_KEPT:]
    target = back_to(comment, tokens, f"comment-{comment.id}", subscription_state(comment))
    return redirect(target, code=303)


@bp.post("/embed/comments/<int(max=2147483647):comment_id>/edit")
@csrf.exempt
def edit_own_comment(comment_id: int):
    """The author's edit inside the iframe, proven by the token in the page's address."""
    require_own_page()
    comment = db.get_or_404(Comment, comment_id)
    token = threads.tokens_by_comment(own_tokens(), utcnow()).get(comment_id)
    form = EditForm(meta={"csrf": False})
    error, status = None, 422
    if form.validate():
        try:
            edited = threads.edit_comment(comment_id, form.comment.data, token=token, now=utcnow())
        except (CommentRejected, EditWindowClosed) as rejected:
            # Shown where the form was, with the text kept so that it can be copied.
            error, status = rejected.message, rejected.status
        else:
            db.session.commit()
            anchor = f"comment-{comment_id}"
            review = comment_id if edited.awaits_review else None
            return redirect(back_to(comment, own_tokens(), anchor, review=review), 303)
    else:
        error = next(iter(form.comment.errors), None)
    return render_embed(
        comment.article,
        blank_form(comment.article),
        status=status,
        editing=comment_id,
        edit_error=error,
        edit_text=form.comment.data,
    )


@bp.post("/embed/comments/<int(max=2147483647):comment_id>/delete")
@csrf.exempt
def delete_own_comment(comment_id: int):
    require_own_page()
    comment = db.get_or_404(Comment, comment_id)
    token = threads.tokens_by_comment(own_tokens(), utcnow()).get(comment_id)
    threads.delete_comment(comment_id, token=token, now=utcnow())
    db.session.commit()
    return redirect(back_to(comment, own_tokens(), "comments"), 303)
