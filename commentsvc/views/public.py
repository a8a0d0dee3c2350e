"""The plain pages: the thread with its form (works without JavaScript), avatars, health."""

from __future__ import annotations

import contextlib

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy import text

from commentsvc import threads
from commentsvc.demo import DEMO_KEY
from commentsvc.errors import (
    RETRY_AFTER_SECONDS,
    CommentRejected,
    EditWindowClosed,
    database_problem,
)
from commentsvc.extensions import csrf, db
from commentsvc.forms.comment import CommentForm, EditForm
from commentsvc.models.base import utcnow
from commentsvc.models.threads import Comment
from commentsvc.privacy.avatars import identicon_svg
from commentsvc.ratelimits import limit_comment_posts
from commentsvc.views._shared import (
    edit_tokens,
    own_comment_page,
    prefilled_form,
    remember_edit_token,
    remember_own_comment,
    reply_target,
    set_remembered_author,
    submit,
    subscription_state,
)
from commentsvc.views._thread import render_thread, requested_thread

bp = Blueprint("public", __name__)


@bp.get("/")
def index():
    if not current_app.config["DEMO"]:
        return render_template("public/index.html")
    article = threads.find_article(DEMO_KEY)
    return render_thread(
        article,
        prefilled_form(article.key, None),
        template="public/demo.html",
        conditional=True,
    )


@bp.get("/thread")
def thread():
    article, reply_to = requested_thread()
    return render_thread(
        article, prefilled_form(article.key, reply_to), reply_to=reply_to, conditional=True
    )


@bp.post("/comments")
@csrf.exempt  # the form checks its own token, so that a failure keeps what the reader typed
@limit_comment_posts
def post_comment():
    form = CommentForm()
    article, posted, status = submit(form)
    if posted is None:
        reply_to = reply_target(article, form.parent_id)
        return render_thread(article, form, status=status, reply_to=reply_to)
    comment = posted.comment
    remember_own_comment(comment.id)
    remember_edit_token(comment.id, posted.edit_token)
    response = redirect(own_comment_page(comment, subscription_state(comment)), code=303)
    set_remembered_author(
        response,
        request,
        consent=form.remember.data,
        author=comment.author,
        email=comment.email,
        url=comment.website,
    )
    return response


@bp.post("/comments/<int(max=2147483647):comment_id>/edit")
def edit_own_comment(comment_id: int):
    """The author's edit without JavaScript; the token comes from the signed session."""
    comment = db.get_or_404(Comment, comment_id)
    form = EditForm()
    error, status = None, 422
    if form.validate():
        try:
            edited = threads.edit_comment(
                comment_id, form.comment.data, token=edit_tokens().get(comment_id), now=utcnow()
            )
        except (CommentRejected, EditWindowClosed) as rejected:
            # Shown where the form was, with the text kept so that it can be copied.
            error, status = rejected.message, rejected.status
        else:
            db.session.commit()
            return redirect(own_comment_page(comment, review=edited.awaits_review), code=303)
    else:
        error = next(iter(form.comment.errors), None)
    article = comment.article
    return render_thread(
        article,
        prefilled_form(article.key, None),
        status=status,
        editing=comment_id,
        edit_error=error,
        edit_text=form.comment.data,
    )


@bp.post("/comments/<int(max=2147483647):comment_id>/delete")
def delete_own_comment(comment_id: int):
    # CSRFProtect has checked the form's token before this runs, as for every POST here.
    comment = db.get_or_404(Comment, comment_id)
    threads.delete_comment(comment_id, token=edit_tokens().get(comment_id), now=utcnow())
    db.session.commit()
    return redirect(
        url_for(
            "public.thread",
            article=comment.article.key,
            lang=request.form.get("lang") or None,
            _anchor="comments",
        ),
        code=303,
    )


@bp.get("/avatar/<key>.svg")
def avatar(key: str):
    if len(key) != 32 or any(c not in "0123456789abcdef" for c in key):
        abort(404)
    response = Response(identicon_svg(key), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


@bp.get("/healthz")
def healthz():
    """Liveness and database reachability, for load balancers: 503 and why when it is down."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as error:  # any failure means the database is not there
        with contextlib.suppress(Exception):  # the connection is known broken
            db.session.rollback()
        reason = database_problem(error)
        current_app.logger.warning("health check: database %s: %s", reason, error)
        response = jsonify(status="unavailable", database="unreachable", reason=reason)
        response.status_code = 503
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response.headers["Cache-Control"] = "no-store"
        return response
    response = jsonify(status="ok", database="ok")
    response.headers["Cache-Control"] = "no-store"
    return response
