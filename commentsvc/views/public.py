"""The plain pages: the thread with its form (works without JavaScript), avatars, health."""

from __future__ import annotations

import contextlib
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from sqlalchemy import text

from .. import caching, comments
from ..antispam import issue_stamp
from ..avatars import identicon_svg
from ..demo import DEMO_KEY
from ..errors import RETRY_AFTER_SECONDS, CommentRejected, DomainError, database_problem
from ..extensions import db
from ..forms import ARTICLE_KEY, CommentForm
from ..models import Comment, utcnow
from ..privacy import anonymize_ip
from ..readers import (
    REMEMBER_COOKIE,
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
    conditional: bool = False,
):
    """The thread page with the form in its current state (empty, prefilled or with errors).

    With ``conditional`` (a plain GET) the page carries an ETag and a reader who holds the
    same version gets ``304`` after two small queries. The page is always ``private``: its
    form carries a CSRF token bound to the reader's session, and it may hold their own
    pending comments and remembered details, so no shared cache may keep it.
    """
    own_ids = own_comment_ids()
    summary = caching.thread_summary(article, own_ids)
    closed = comments.is_closed(article, utcnow())
    lang = request.values.get("lang")
    etag = None
    if conditional:
        personal = (
            sorted(own_ids),
            generate_csrf() and session.get("csrf_token"),
            request.cookies.get(REMEMBER_COOKIE),
        )
        etag = caching.thread_etag(
            summary,
            template,
            page_arg(),
            str(get_locale()),
            lang,
            reply_to.id if reply_to else None,
            closed,
            personal=personal,
        )
        if caching.not_modified(etag):
            return caching.not_modified_response(etag, private=True)
    thread, comments_html = thread_and_comments(article, own_ids, summary, closed, lang)
    body = render_template(
        template,
        thread=thread,
        comments_html=comments_html,
        form=form,
        reply_to=reply_to,
        closed=closed,
        form_stamp=issue_stamp(utcnow()),
        lang=lang,
    )
    response = current_app.make_response((body, status))
    if etag:
        return caching.with_cache_headers(response, etag, private=True)
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def thread_and_comments(article, own_ids, summary, closed: bool, lang):
    """The page of the thread, and its comments as HTML when they come from the cache.

    Readers without pending comments of their own all see the same comments, so the rendered
    list is kept per version of the thread; only a miss reads the comments from the database.
    """
    cache = None if own_ids else caching.kept("thread pages")
    if cache is None:
        return comments.load_thread(
            article, own_ids=own_ids, page=page_arg(), summary=summary
        ), None
    page, pages = comments.page_and_pages(summary, page_arg())
    key = (article.id, summary.version, page, str(get_locale()), lang, closed)
    loaded = []

    def render() -> str:
        thread = comments.load_thread(article, page=page, summary=summary)
        loaded.append(thread)
        return render_template("public/_comment_list.html", thread=thread, closed=closed, lang=lang)

    # Safe: the cache holds what an autoescaping template rendered, never reader input as is.
    html = Markup(cache.get_or_make(key, render))  # noqa: S704
    if loaded:
        return loaded[0], html
    return comments.Thread(article, [], summary.approved_count, page, pages), html


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


def reply_target(article) -> Comment | None:
    """The comment named by ``replytocom``, when the reader may answer it (the no-JS reply)."""
    raw = request.args.get("replytocom", "")
    if not raw.isdigit():
        return None
    parent = db.session.get(Comment, int(raw))
    if parent is None or parent.article_id != article.id or parent.status != "approved":
        return None
    return parent


@bp.get("/")
def index():
    if not current_app.config["DEMO"]:
        return render_template("public/index.html")
    article = comments.find_article(DEMO_KEY)
    return render_thread(
        article,
        prefilled_form(article.key, None),
        template="public/demo.html",
        conditional=True,
    )


@bp.get("/thread")
def thread():
    article = comments.open_article(
        article_key_arg(),
        title=request.args.get("title", ""),
        url=request.args.get("url", ""),
        may_create=may_create_article(),
    )
    reply_to = reply_target(article)
    return render_thread(
        article, prefilled_form(article.key, reply_to), reply_to=reply_to, conditional=True
    )


@bp.post("/comments")
def post_comment():
    form = CommentForm()
    valid = form.validate()
    key = form.article.data or ""
    article = comments.find_article(key) if ARTICLE_KEY.fullmatch(key) else None
    if article is None:
        abort(404)
    if valid:
        draft = comments.Draft(
            comment=form.comment.data,
            author=form.author.data,
            email=form.email.data,
            website=form.url.data or "",
            parent_id=form.parent_id,
        )
        try:
            comment = comments.post_comment(
                article, draft, ip=anonymize_ip(request.remote_addr), now=utcnow()
            )
        except CommentRejected as error:
            getattr(form, error.field or "comment").errors = [error.message]
        except DomainError as error:
            form.form_errors.append(error.message)
            return render_thread(article, form, status=error.status)
        else:
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
                author=draft.author,
                email=draft.email,
                url=draft.website,
            )
            return response
    parent = db.session.get(Comment, form.parent_id) if form.parent.data.isdigit() else None
    reply_to = parent if parent and parent.article_id == article.id else None
    return render_thread(article, form, status=422, reply_to=reply_to)


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
