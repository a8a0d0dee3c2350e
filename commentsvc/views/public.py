"""The plain pages: the thread with its form (works without JavaScript), avatars, health."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy import text

from .. import comments
from ..antispam import issue_stamp, stamp_age
from ..avatars import identicon_svg
from ..demo import DEMO_KEY
from ..errors import CSRF_MESSAGE, DomainError
from ..extensions import csrf, db
from ..forms import ARTICLE_KEY, CommentForm, parse_id
from ..models import Comment, utcnow
from ..moderation import Signals
from ..privacy import anonymize_ip
from ..ratelimits import limit_comment_posts
from ..readers import (
    own_comment_ids,
    remember_own_comment,
    remembered_author,
    set_remembered_author,
)

bp = Blueprint("public", __name__)


def request_origin() -> str:
    """The origin the request came from: its Origin header, else its Referer's origin."""
    origin = request.headers.get("Origin") or ""
    if not origin or origin == "null":
        referer = urlsplit(request.headers.get("Referer") or "")
        origin = f"{referer.scheme}://{referer.netloc}" if referer.netloc else ""
    return origin.rstrip("/")


def may_create_article() -> bool:
    """Threads are created on first use only for allowed host sites or the service itself."""
    origin = request_origin()
    own = request.host_url.rstrip("/")
    return bool(origin) and (origin == own or origin in current_app.config["ALLOWED_ORIGINS"])


def article_key_arg() -> str:
    key = (request.args.get("article") or "").strip()
    if not ARTICLE_KEY.fullmatch(key):
        abort(404)
    return key


def page_arg() -> int:
    page = request.args.get("page", "1")
    return int(page) if page.isdigit() and 0 < len(page) < 7 else 1


def render_thread(
    article,
    form: CommentForm,
    *,
    status: int = 200,
    reply_to: Comment | None = None,
    template: str = "public/thread.html",
):
    """The thread page with the form in its current state (empty, prefilled or with errors)."""
    thread = comments.load_thread(article, own_ids=own_comment_ids(), page=page_arg())
    closed = comments.is_closed(article, utcnow())
    body = render_template(
        template,
        thread=thread,
        form=form,
        reply_to=reply_to,
        closed=closed,
        form_stamp=issue_stamp(utcnow()),
        lang=request.values.get("lang"),
    )
    response = current_app.make_response((body, status))
    # The page may hold the reader's own pending comment and remembered details.
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def prefilled_form(article_key: str, reply_to: Comment | None) -> CommentForm:
    form = CommentForm(
        formdata=None, article=article_key, parent=str(reply_to.id) if reply_to else ""
    )
    remembered = remembered_author(request)
    if remembered:
        form.author.data = remembered["author"]
        form.email.data = remembered["email"]
        form.url.data = remembered["url"]
        form.remember.data = True
    return form


def reply_target(article, comment_id: int | None) -> Comment | None:
    """The comment being answered, when the reader may answer it."""
    parent = db.session.get(Comment, comment_id) if comment_id else None
    if parent is None or parent.article_id != article.id or parent.status != "approved":
        return None
    return parent


@bp.get("/")
def index():
    if not current_app.config["DEMO"]:
        return render_template("public/index.html")
    article = comments.find_article(DEMO_KEY)
    return render_thread(article, prefilled_form(article.key, None), template="public/demo.html")


@bp.get("/thread")
def thread():
    article = comments.open_article(
        article_key_arg(),
        title=request.args.get("title", ""),
        url=request.args.get("url", ""),
        may_create=may_create_article(),
    )
    reply_to = reply_target(article, parse_id(request.args.get("replytocom")))
    return render_thread(article, prefilled_form(article.key, reply_to), reply_to=reply_to)


@bp.post("/comments")
@csrf.exempt  # the form checks its own token, so that a failure keeps what the reader typed
@limit_comment_posts
def post_comment():
    form = CommentForm()
    article = comments.find_article(form.article.data or "")
    status = 422
    if form.validate():
        try:
            now = utcnow()
            signals = Signals(stamp_age(form.ts.data, now), form.hp.data or "")
            comment = comments.post_comment(
                article,
                form.draft(),
                ip=anonymize_ip(request.remote_addr),
                now=now,
                signals=signals,
            )
        except DomainError as error:
            form.add_domain_error(error)
            status = error.status
        else:
            return _posted(article, comment, form)
    elif form.csrf_token.errors:
        form.form_errors.append(CSRF_MESSAGE)
        status = 400
    return render_thread(
        article, form, status=status, reply_to=reply_target(article, form.parent_id)
    )


def _posted(article, comment: Comment, form: CommentForm):
    """Post/redirect/get: back to the thread, at the new comment."""
    remember_own_comment(comment.id)
    target = url_for(
        "public.thread",
        article=article.key,
        page=comments.page_of(comment, own_comment_ids()),
        lang=request.form.get("lang") or None,
        _anchor=f"comment-{comment.id}",
    )
    response = redirect(target, code=303)
    set_remembered_author(
        response,
        request,
        consent=form.remember.data,
        author=comment.author,
        email=comment.email,
        url=comment.website,
    )
    return response


@bp.get("/avatar/<key>.svg")
def avatar(key: str):
    if len(key) != 32 or any(c not in "0123456789abcdef" for c in key):
        abort(404)
    response = Response(identicon_svg(key), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as error:  # any failure means the database is not there
        db.session.rollback()
        current_app.logger.warning("health check: database unreachable: %s", error)
        return {"status": "unavailable", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}
