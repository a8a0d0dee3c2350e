"""The plain pages: the thread with its form (works without JavaScript), avatars, health."""

from __future__ import annotations

import contextlib
import re
from datetime import timedelta
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
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from sqlalchemy import text

from .. import caching, comments, readcache, subscriptions
from ..antispam import issue_stamp
from ..avatars import identicon_svg
from ..demo import DEMO_KEY
from ..errors import (
    CSRF_MESSAGE,
    RETRY_AFTER_SECONDS,
    CommentRejected,
    DomainError,
    EditWindowClosed,
    database_problem,
)
from ..extensions import csrf, db
from ..forms import ARTICLE_KEY, CommentForm, EditForm, parse_id
from ..models import Article, Comment, utcnow
from ..privacy import anonymize_ip
from ..ratelimits import count_new_article, limit_comment_posts
from ..readers import (
    REMEMBER_COOKIE,
    edit_tokens,
    own_comment_ids,
    remember_edit_token,
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
    """Threads are created on first use only for requests from an allowed host site.

    Not for the service's own origin: no page of ours opens a thread that does not exist
    (links between our pages name existing threads; the demo's is made by ``seed-demo``), and
    a claim to be us is the easiest one for a program to make. The header can be forged by a
    program all the same, so ``open_new_or_existing`` also checks the article's address and
    counts new threads per address and per day.
    """
    return request_origin() in current_app.config["ALLOWED_ORIGINS"]


def open_new_or_existing(key: str) -> Article:
    """The article a read asks for (``article``, ``title``, ``url`` in the query), opened on
    first use where allowed. The plain page, the iframe and the JSON API all read through here;
    a thread opened here is committed before the page is read (an existing one costs nothing)."""
    article = comments.open_article(
        key,
        title=request.args.get("title", ""),
        url=request.args.get("url", ""),
        may_create=may_create_article(),
        allowed_origins=current_app.config["ALLOWED_ORIGINS"],
        count_creation=count_new_article,
    )
    if article in db.session.new:
        db.session.commit()
    return article


def article_key_arg() -> str:
    key = (request.args.get("article") or "").strip()
    if not ARTICLE_KEY.fullmatch(key):
        abort(404)
    return key


def page_arg() -> int:
    page = request.args.get("page", "1")
    return int(page) if re.fullmatch(r"[0-9]{1,6}", page) else 1


def render_thread(
    article,
    form: CommentForm,
    *,
    status: int = 200,
    reply_to: Comment | None = None,
    template: str = "public/thread.html",
    own_ids: frozenset[int] | None = None,
    conditional: bool = False,
    anonymous: bool = False,
    **context,
):
    """The thread page with the form in its current state (empty, prefilled or with errors).

    With ``conditional`` (a plain GET) the page carries an ETag and a reader who holds the
    same version gets ``304`` after two small queries. The page is always ``private``: its
    form carries a CSRF token bound to the reader's session, and it may hold their own
    pending comments and remembered details, so no shared cache may keep it. ``context``
    (the iframe's links and tokens) goes to the templates as it is. ``anonymous`` (the iframe
    page, which has no session) says the page is the same for every reader without comments
    of their own: each worker then keeps it (readcache.py).
    """
    if own_ids is None:
        own_ids = own_comment_ids()
    summary = caching.thread_summary(article, own_ids)
    # Only a page every reader sees alike may come from the cache: no own comments, none of
    # the iframe's per-reader links (they come in ``context``), no Edit buttons (below).
    shared = not own_ids and not context
    # The author's own comments offer Edit and Delete while their window is open.
    now = utcnow()
    window = timedelta(minutes=current_app.config["EDIT_WINDOW_MINUTES"])
    context.setdefault("edit_tokens", edit_tokens())
    context.setdefault("edit_cutoff", now - window)
    context.setdefault("editing", request.args.get("edit", type=int))
    context.setdefault("subscription_note", subscription_note())
    shared = shared and not context["edit_tokens"]
    closed = comments.is_closed(article, now)
    if anonymous and not own_ids:
        # The form's time-trap stamp says when the page was made: kept for one second.
        until = now + timedelta(seconds=1)
        closes = comments.closes_at(article)
        readcache.share({article.id: summary.version}, until=min(until, closes or until))
    lang = request.values.get("lang")
    etag = None
    if conditional:
        personal = (
            sorted(own_ids),
            generate_csrf() and session.get("csrf_token"),
            request.cookies.get(REMEMBER_COOKIE),
            # Edit and Delete buttons disappear when the window closes: a new tag each minute.
            (sorted(context["edit_tokens"]), now.replace(second=0, microsecond=0))
            if context["edit_tokens"]
            else None,
        )
        etag = caching.thread_etag(
            summary,
            template,
            page_arg(),
            str(get_locale()),
            lang,
            reply_to.id if reply_to else None,
            closed,
            context["subscription_note"],
            personal=personal,
        )
        if caching.not_modified(etag):
            return caching.not_modified_response(etag, private=True)
    thread, comments_html = thread_and_comments(article, own_ids, summary, closed, lang, shared)
    body = render_template(
        template,
        thread=thread,
        comments_html=comments_html,
        form=form,
        reply_to=reply_to,
        closed=closed,
        form_stamp=issue_stamp(utcnow()),
        lang=lang,
        **context,
    )
    response = current_app.make_response((body, status))
    if etag:
        return caching.with_cache_headers(response, etag, private=True)
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def thread_and_comments(article, own_ids, summary, closed: bool, lang, shared: bool):
    """The page of the thread, and its comments as HTML when they come from the cache.

    Readers without pending comments of their own all see the same comments, so the rendered
    list is kept per version of the thread; only a miss reads the comments from the database.
    """
    cache = caching.kept("thread pages") if shared else None
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
    return render_thread(
        article,
        prefilled_form(article.key, None),
        template="public/demo.html",
        conditional=True,
    )


def requested_thread() -> tuple[Article, Comment | None]:
    """The article a page asks for (created on first use where allowed) and the comment it
    replies to (``replytocom``, the reply without JavaScript)."""
    article = open_new_or_existing(article_key_arg())
    return article, reply_target(article, parse_id(request.args.get("replytocom")))


@bp.get("/thread")
def thread():
    article, reply_to = requested_thread()
    return render_thread(
        article, prefilled_form(article.key, reply_to), reply_to=reply_to, conditional=True
    )


def submit(form: CommentForm) -> tuple[Article, Comment | None, int]:
    """Check the form and post its comment: (article, the comment or None, HTTP status).

    The plain page, the iframe and the API all post through here. On failure the messages
    are on the form, beside their fields or in its summary.
    """
    article = comments.find_article(form.article.data or "")
    if not form.validate():
        if form.errors.get("csrf_token"):
            form.form_errors.append(CSRF_MESSAGE)
            return article, None, 400
        return article, None, 422
    now = utcnow()
    try:
        comment = comments.post_comment(
            article,
            form.draft(),
            ip=anonymize_ip(request.remote_addr),
            now=now,
            signals=form.signals(now),
        )
    except DomainError as error:
        form.add_domain_error(error)
        return article, None, error.status
    db.session.commit()
    return article, comment, 201


@bp.post("/comments")
@csrf.exempt  # the form checks its own token, so that a failure keeps what the reader typed
@limit_comment_posts
def post_comment():
    form = CommentForm()
    article, comment, status = submit(form)
    if comment is None:
        reply_to = reply_target(article, form.parent_id)
        return render_thread(article, form, status=status, reply_to=reply_to)
    remember_own_comment(comment.id)
    remember_edit_token(comment.id, comments.issue_edit_token(comment, utcnow()))
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


SUBSCRIPTION_NOTES = {
    "confirm": _l(
        "We have sent you an email. Open the link in it and press the button to start "
        "getting notifications."
    ),
    "active": _l("You will be notified by email of new comments."),
}


def subscription_state(comment: Comment) -> str | None:
    """What the reader's ticked box did, for the page after the redirect to tell them
    (in its address: the iframe has no session to carry a flashed message)."""
    return subscriptions.state_of(comment.id)


def subscription_note() -> str | None:
    note = SUBSCRIPTION_NOTES.get(request.args.get("subscription", ""))
    return str(note) if note else None


def own_comment_page(comment: Comment, subscription: str | None = None) -> str:
    return url_for(
        "public.thread",
        article=comment.article.key,
        subscription=subscription,
        page=comments.page_of(comment, own_comment_ids()),
        lang=request.form.get("lang") or None,
        _anchor=f"comment-{comment.id}",
    )


@bp.post("/comments/<int(max=2147483647):comment_id>/edit")
def edit_own_comment(comment_id: int):
    """The author's edit without JavaScript; the token comes from the signed session."""
    comment = db.get_or_404(Comment, comment_id)
    form = EditForm()
    error, status = None, 422
    if form.validate():
        try:
            comments.edit_comment(
                comment_id, form.comment.data, token=edit_tokens().get(comment_id), now=utcnow()
            )
        except (CommentRejected, EditWindowClosed) as rejected:
            # Shown where the form was, with the text kept so that it can be copied.
            error, status = rejected.message, rejected.status
        else:
            db.session.commit()
            return redirect(own_comment_page(comment), code=303)
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
    comments.delete_comment(comment_id, token=edit_tokens().get(comment_id), now=utcnow())
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
