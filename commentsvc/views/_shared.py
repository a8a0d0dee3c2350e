"""What the public views share: the reader's cookies, the thread's HTTP caching, and the
thread page's building blocks."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Request,
    Response,
    abort,
    current_app,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import generate_csrf
from itsdangerous import BadSignature, URLSafeSerializer
from markupsafe import Markup

from commentsvc import threads
from commentsvc.errors import (
    CSRF_MESSAGE,
    DomainError,
)
from commentsvc.extensions import db
from commentsvc.forms.comment import ARTICLE_KEY, CommentForm, parse_id
from commentsvc.models import Article, Comment, utcnow
from commentsvc.notify import subscriptions
from commentsvc.privacy.addresses import anonymize_ip
from commentsvc.ratelimits import count_new_article
from commentsvc.threads.antispam import issue_stamp
from commentsvc.threads.kept import kept
from commentsvc.threads.reading import ThreadSummary
from commentsvc.web import readcache


def thread_etag(summary: ThreadSummary, *parts: Any, personal: Any = None) -> str:
    """A weak ETag: the thread's version plus what else shapes the response (page, language).

    ``personal`` is whatever makes one reader's copy differ from another's (their pending
    comments, remembered details, form token). It is hashed with the secret key, so the tag
    does not reveal it.
    """
    key = current_app.config["SECRET_KEY"].encode()[:64]
    digest = hashlib.blake2b(key=key, digest_size=12)
    digest.update(repr((summary.version, parts, personal)).encode())
    return digest.hexdigest()


def not_modified(etag: str) -> bool:
    """Does the client already hold this version (``If-None-Match``)?"""
    return request.if_none_match.contains_weak(etag)


def cache_control(*, private: bool) -> str:
    """Shared caches may keep anonymous reads a few seconds and serve them stale while they
    fetch a new copy; a personal read stays in the reader's browser, which asks each time."""
    if private:
        return "private, no-cache"
    config = current_app.config
    return (
        f"public, max-age={config['CACHE_MAX_AGE']}, "
        f"stale-while-revalidate={config['CACHE_STALE_WHILE_REVALIDATE']}"
    )


def with_cache_headers(response: Response, etag: str, *, private: bool) -> Response:
    response.set_etag(etag, weak=True)
    response.headers["Cache-Control"] = cache_control(private=private)
    # Readers with cookies may see more (their own pending comments): never share their copy.
    response.vary.add("Cookie")
    if current_app.config["LANGUAGE_FROM_BROWSER"]:
        response.vary.add("Accept-Language")
    return response


def not_modified_response(etag: str, *, private: bool) -> Response:
    return with_cache_headers(Response(status=304), etag, private=private)


def thread_summary(article: Article, own_ids: frozenset[int]) -> ThreadSummary:
    """The thread's summary, counted again only when its version moved (``Article.version``
    is read with the article, so a repeated read needs no count over its comments)."""
    cache = None if own_ids else kept("summaries")
    if cache is None:
        return threads.thread_summary(article, own_ids=own_ids)
    key = (article.id, article.version)
    return cache.get_or_make(key, lambda: threads.thread_summary(article))


REMEMBER_COOKIE = "commentsvc_author"
OWN_COMMENTS_KEPT = 50


def own_comment_ids() -> frozenset[int]:
    """Comments this browser wrote, so their author sees them while they wait for review."""
    return frozenset(int(i) for i in session.get("own", []) if str(i).isdigit())


def remember_own_comment(comment_id: int) -> None:
    own = [i for i in session.get("own", []) if i != comment_id]
    session["own"] = [*own, comment_id][-OWN_COMMENTS_KEPT:]
    session.permanent = True


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="remember-author")


def remembered_author(request: Request) -> dict[str, str]:
    """The name, email and website saved with the reader's consent, or nothing."""
    raw = request.cookies.get(REMEMBER_COOKIE)
    if not raw:
        return {}
    try:
        data = _serializer().loads(raw)
    except BadSignature:
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: str(data.get(k, "")) for k in ("author", "email", "url")}


def set_remembered_author(
    response: Response, request: Request, *, consent: bool, author: str, email: str, url: str
) -> None:
    """Keep the details only when the box was ticked; without consent, forget earlier ones."""
    if not consent:
        if REMEMBER_COOKIE in request.cookies:
            response.delete_cookie(
                REMEMBER_COOKIE, httponly=True, samesite="Lax", secure=_secure(request)
            )
        return
    response.set_cookie(
        REMEMBER_COOKIE,
        _serializer().dumps({"author": author, "email": email, "url": url}),
        max_age=timedelta(days=current_app.config["REMEMBER_COOKIE_DAYS"]),
        httponly=True,
        samesite="Lax",
        secure=_secure(request),
    )


def _secure(request: Request) -> bool:
    """Secure over https (as the session cookie is): the cookie holds a name and an email."""
    return bool(current_app.config.get("SESSION_COOKIE_SECURE")) or request.is_secure


# --- edit tokens of the plain page, in the signed session cookie ---
EDIT_TOKENS_KEPT = 10  # the window is short; a few tokens keep the cookie small


def edit_tokens() -> dict[int, str]:
    """This browser's edit tokens by comment id (the service checks each when it is used)."""
    kept = session.get("edit", {})
    if not isinstance(kept, dict):
        return {}
    return {int(k): str(v) for k, v in kept.items() if str(k).isdigit()}


def remember_edit_token(comment_id: int, token: str) -> None:
    kept = {str(k): v for k, v in edit_tokens().items() if k != comment_id}
    kept[str(comment_id)] = token
    session["edit"] = dict(list(kept.items())[-EDIT_TOKENS_KEPT:])
    session.permanent = True


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
    article = threads.open_article(
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
    summary = thread_summary(article, own_ids)
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
    closed = threads.is_closed(article, now)
    if anonymous and not own_ids:
        # The form's time-trap stamp says when the page was made: kept for one second.
        until = now + timedelta(seconds=1)
        closes = threads.closes_at(article)
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
        etag = thread_etag(
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
        if not_modified(etag):
            return not_modified_response(etag, private=True)
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
        return with_cache_headers(response, etag, private=True)
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def thread_and_comments(article, own_ids, summary, closed: bool, lang, shared: bool):
    """The page of the thread, and its comments as HTML when they come from the cache.

    Readers without pending comments of their own all see the same comments, so the rendered
    list is kept per version of the thread; only a miss reads the comments from the database.
    """
    cache = kept("thread pages") if shared else None
    if cache is None:
        return threads.load_thread(article, own_ids=own_ids, page=page_arg(), summary=summary), None
    page, pages = threads.page_and_pages(summary, page_arg())
    key = (article.id, summary.version, page, str(get_locale()), lang, closed)
    loaded = []

    def render() -> str:
        thread = threads.load_thread(article, page=page, summary=summary)
        loaded.append(thread)
        return render_template("public/_comment_list.html", thread=thread, closed=closed, lang=lang)

    # Safe: the cache holds what an autoescaping template rendered, never reader input as is.
    html = Markup(cache.get_or_make(key, render))  # noqa: S704
    if loaded:
        return loaded[0], html
    return threads.Thread(article, [], summary.approved_count, page, pages), html


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


def requested_thread() -> tuple[Article, Comment | None]:
    """The article a page asks for (created on first use where allowed) and the comment it
    replies to (``replytocom``, the reply without JavaScript)."""
    article = open_new_or_existing(article_key_arg())
    return article, reply_target(article, parse_id(request.args.get("replytocom")))


def submit(form: CommentForm) -> tuple[Article, Comment | None, int]:
    """Check the form and post its comment: (article, the comment or None, HTTP status).

    The plain page, the iframe and the API all post through here. On failure the messages
    are on the form, beside their fields or in its summary.
    """
    article = threads.find_article(form.article.data or "")
    if not form.validate():
        if form.errors.get("csrf_token"):
            form.form_errors.append(CSRF_MESSAGE)
            return article, None, 400
        return article, None, 422
    now = utcnow()
    try:
        comment = threads.post_comment(
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
        page=threads.page_of(comment, own_comment_ids()),
        lang=request.form.get("lang") or None,
        _anchor=f"comment-{comment.id}",
    )
