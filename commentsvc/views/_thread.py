"""One read path for a thread: the plain page, the iframe and the JSON API all read through here.

``read_thread`` reads what every answer starts from, once: the thread's summary and version
(kept per worker), the page, whether it is closed, and the ETag of this answer. A reader who
holds that version gets 304 (``ThreadRead.unchanged``); an answer every anonymous reader gets
alike may be kept by the worker while the thread keeps its version (``ThreadRead.share``, see
web/readcache.py); ``ThreadRead.finish`` sets the cache headers. Cache-Control lets a CDN hold
anonymous reads a few seconds but never a reader's personal copy.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import Response, abort, current_app, render_template, request, session, url_for
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from commentsvc import threads
from commentsvc.extensions import db
from commentsvc.forms.comment import ARTICLE_KEY, CommentForm, parse_id
from commentsvc.memory import worker_memory
from commentsvc.models.base import utcnow
from commentsvc.models.threads import Article, Comment
from commentsvc.ratelimits import count_new_article
from commentsvc.sites import current_site_id, effective_config, site_of_origin
from commentsvc.threads import proofofwork
from commentsvc.threads.antispam import issue_stamp
from commentsvc.threads.reading import ThreadSummary
from commentsvc.views._shared import (
    EDIT_REVIEW_NOTE,
    REMEMBER_COOKIE,
    edit_tokens,
    own_comment_ids,
    reply_target,
    subscription_note,
)
from commentsvc.web import readcache
from commentsvc.weburls import request_origin


def article_key_arg() -> str:
    key = (request.args.get("article") or "").strip()
    if not ARTICLE_KEY.fullmatch(key):
        abort(404)
    return key


def replies_arg() -> threads.RepliesFrom | None:
    """A page of one comment's further replies (``replies``: the cursor of "more replies")."""
    return threads.RepliesFrom.parse(request.args.get("replies"))


def page_arg() -> int:
    page = request.args.get("page", "1")
    return int(page) if re.fullmatch(r"[0-9]{1,6}", page) else 1


def may_create_article() -> bool:
    """Threads are created on first use only for requests from an allowed host site.

    Not for the service's own origin: no page of ours opens a thread that does not exist
    (links between our pages name existing threads; the demo's is made by ``seed-demo``), and
    a claim to be us is the easiest one for a program to make. The header can be forged by a
    program all the same, so ``open_new_or_existing`` also checks the article's address and
    counts new threads per address and per day.
    """
    return site_of_origin(request_origin()) == current_site_id()


def open_new_or_existing(key: str) -> Article:
    """The article a read asks for (``article``, ``title``, ``url`` in the query), opened on
    first use where allowed. The plain page, the iframe and the JSON API all read through here;
    a thread opened here is committed before the page is read (an existing one costs nothing)."""
    article = threads.open_article(
        key,
        title=request.args.get("title", ""),
        url=request.args.get("url", ""),
        may_create=may_create_article(),
        allowed_origins=effective_config()["ALLOWED_ORIGINS"],
        count_creation=count_new_article,
    )
    if article in db.session.new:
        db.session.commit()
    return article


def requested_thread() -> tuple[Article, Comment | None]:
    """The article a page asks for (created on first use where allowed) and the comment it
    replies to (``replytocom``, the reply without JavaScript)."""
    article = open_new_or_existing(article_key_arg())
    return article, reply_target(article, parse_id(request.args.get("replytocom")))


def thread_summary(article: Article, own_ids: frozenset[int]) -> ThreadSummary:
    """The thread's summary, counted again only when its version moved (``Article.version``
    is read with the article, so a repeated read needs no count over its comments)."""
    store = None if own_ids else worker_memory()
    if store is None:
        return threads.thread_summary(article, own_ids=own_ids)
    key = (article.id, article.version)
    return store.get_or_make("summary", key, lambda: threads.thread_summary(article))


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


@dataclass
class ThreadRead:
    """What every answer about a thread starts from, read once (``read_thread``)."""

    article: Article
    own_ids: frozenset[int]
    summary: ThreadSummary
    page: int
    pages: int
    closed: bool
    now: datetime
    private: bool
    etag: str | None
    replies_from: threads.RepliesFrom | None = None

    def unchanged(self) -> Response | None:
        """``304`` when the reader already holds this version (``If-None-Match``)."""
        if self.etag and request.if_none_match.contains_weak(self.etag):
            return self.finish(Response(status=304))
        return None

    def share(self, *, until: datetime | None = None) -> None:
        """The answer is the same for every anonymous reader: a worker may keep it while the
        thread keeps the version read here (before its comments), until ``until`` and never
        past the moment the thread closes by age."""
        moments = [m for m in (until, threads.closes_at(self.article)) if m is not None]
        readcache.share({self.article.id: self.summary.version}, until=min(moments, default=None))

    def load(self) -> threads.Thread:
        return threads.load_thread(
            self.article,
            own_ids=self.own_ids,
            page=self.page,
            summary=self.summary,
            replies_from=self.replies_from,
        )

    def finish(self, response: Response) -> Response:
        """The cache headers: the ETag and who may keep the answer."""
        if self.etag is None:
            response.headers["Cache-Control"] = "private, no-cache"
            return response
        response.set_etag(self.etag, weak=True)
        response.headers["Cache-Control"] = cache_control(private=self.private)
        # Readers with cookies may see more (their own pending comments): never share their copy.
        response.vary.add("Cookie")
        if effective_config()["LANGUAGE_FROM_BROWSER"]:
            response.vary.add("Accept-Language")
        return response


def read_thread(
    article: Article,
    own_ids: frozenset[int],
    *,
    private: bool,
    tagged: tuple | None,
    personal: Any = None,
    now: datetime | None = None,
) -> ThreadRead:
    """Begin an answer about the thread: its summary, page and closing, and the answer's ETag.

    ``tagged`` is what else shapes the answer (the kind of answer, its options); None makes an
    answer without a tag (a page that is not a plain GET). The tag holds the thread's version,
    the article, the page, the language and whether the thread is closed. ``personal`` is
    whatever makes one reader's copy differ from another's (their pending comments, form
    token, remembered details): hashed with the secret key, so the tag does not reveal it.
    """
    now = now or utcnow()
    summary = thread_summary(article, own_ids)
    page, pages = threads.page_and_pages(
        summary, page_arg(), per_page=effective_config()["COMMENTS_PER_PAGE"]
    )
    closed = threads.is_closed(article, now)
    replies_from = replies_arg()
    cursor = replies_from.cursor if replies_from else None
    etag = None
    if tagged is not None:
        digest = hashlib.blake2b(key=current_app.config["SECRET_KEY"].encode()[:64], digest_size=12)
        shape = (summary.version, article.id, page, cursor, str(get_locale()), closed, tagged)
        digest.update(repr((shape, personal)).encode())
        etag = digest.hexdigest()
    return ThreadRead(
        article, own_ids, summary, page, pages, closed, now, private, etag, replies_from
    )


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
    of their own: each worker then keeps it (web/readcache.py).
    """
    if own_ids is None:
        own_ids = own_comment_ids()
    now = utcnow()
    # Only a page every reader sees alike may come from the cache: no own comments, none of
    # the iframe's per-reader links (they come in ``context``), no Edit buttons (below).
    shared = not own_ids and not context
    # The author's own comments offer Edit and Delete while their window is open.
    window = timedelta(minutes=effective_config()["EDIT_WINDOW_MINUTES"])
    context.setdefault("edit_tokens", edit_tokens())
    context.setdefault("edit_cutoff", now - window)
    context.setdefault("editing", request.args.get("edit", type=int))
    context.setdefault("subscription_note", subscription_note())
    # The author's edit waits for a moderator: said beside their comment after the redirect.
    context.setdefault("edit_review", parse_id(request.args.get("review")))
    context.setdefault("edit_review_note", str(EDIT_REVIEW_NOTE))
    # Where the page's script fetches the proof of work's challenge (None: the site asks for
    # none). Never the challenge itself: readers may share the page, and a challenge counts
    # once.
    context.setdefault(
        "proof_of_work",
        url_for("api.form_stamp", site=current_site_id())
        if proofofwork.required(effective_config())
        else None,
    )
    shared = shared and not context["edit_tokens"] and not context["edit_review"]
    lang = request.values.get("lang")
    tagged = personal = None
    if conditional:
        tagged = (
            template,
            lang,
            reply_to.id if reply_to else None,
            context["subscription_note"],
            context["edit_review"],
            context["proof_of_work"],
        )
        personal = (
            sorted(own_ids),
            generate_csrf() and session.get("csrf_token"),
            request.cookies.get(REMEMBER_COOKIE),
            # Edit and Delete buttons disappear when the window closes: a new tag each minute.
            (sorted(context["edit_tokens"]), now.replace(second=0, microsecond=0))
            if context["edit_tokens"]
            else None,
        )
    read = read_thread(article, own_ids, private=True, tagged=tagged, personal=personal, now=now)
    unchanged = read.unchanged()
    if unchanged is not None:
        return unchanged
    if anonymous and not own_ids:
        # The form's time-trap stamp says when the page was made: kept for one second.
        read.share(until=now + timedelta(seconds=1))
    thread, comments_html = thread_and_comments(read, lang, shared)
    body = render_template(
        template,
        thread=thread,
        comments_html=comments_html,
        form=form,
        reply_to=reply_to,
        closed=read.closed,
        form_stamp=issue_stamp(utcnow()),
        lang=lang,
        **context,
    )
    return read.finish(current_app.make_response((body, status)))


def thread_and_comments(read: ThreadRead, lang, shared: bool):
    """The page of the thread, and its comments as HTML when they come from the cache.

    Readers without pending comments of their own all see the same comments, so the rendered
    list is kept per version of the thread; only a miss reads the comments from the database.
    """
    store = worker_memory() if shared else None
    if store is None:
        return read.load(), None
    cursor = read.replies_from.cursor if read.replies_from else None
    key = (
        read.article.id,
        read.summary.version,
        read.page,
        cursor,
        str(get_locale()),
        lang,
        read.closed,
    )
    loaded = []

    def render() -> str:
        thread = read.load()
        loaded.append(thread)
        return render_template(
            "public/_comment_list.html", thread=thread, closed=read.closed, lang=lang
        )

    # Safe: the store holds what an autoescaping template rendered, never reader input as is.
    html = store.get_or_make("comment list", key, render, size=lambda text: len(text.encode()))
    html = Markup(html)  # noqa: S704
    if loaded:
        return loaded[0], html
    empty = threads.Thread(
        read.article, [], read.summary.approved_count, read.page, read.pages, read.replies_from
    )
    return empty, html
