"""HTTP caching of thread reads: an ETag from the thread's version, 304 answers, and
Cache-Control that lets a CDN hold anonymous reads but never a reader's personal copy.

One helper for every read of a thread (the plain page, the iframe, the JSON API):

    etag = thread_etag(summary, page, personal=...)
    if not_modified(etag):
        return not_modified_response(etag, private=...)
    ... build the response ...
    return with_cache_headers(response, etag, private=...)
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from flask import Response, current_app, request

from . import comments
from .comments import ThreadSummary
from .models import Article


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


class Kept:
    """Values a worker keeps, most recently used first, at most ``entries`` of them.

    Used for thread pages keyed by the thread's version (with page, language...): a write
    anywhere, through any instance, makes a new key, so nothing is ever served stale and the
    old entry just ages out. Only what every reader sees alike is kept (no reader's own
    pending comments).
    """

    def __init__(self, entries: int):
        self.entries = entries
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_make(self, key: Hashable, make: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = make()
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.entries:
                self._items.popitem(last=False)
        return value


def kept(name: str) -> Kept | None:
    """This app's cache called ``name``; None when ``THREAD_CACHE_ENTRIES`` is 0."""
    entries = current_app.config["THREAD_CACHE_ENTRIES"]
    if not entries:
        return None
    caches = current_app.extensions.setdefault("commentsvc_kept", {})
    if name not in caches:
        caches.setdefault(name, Kept(entries))
    return caches[name]


def thread_summary(article: Article, own_ids: frozenset[int]) -> ThreadSummary:
    """The thread's summary, counted again only when its version moved (``Article.version``
    is read with the article, so a repeated read needs no count over its comments)."""
    cache = None if own_ids else kept("summaries")
    if cache is None:
        return comments.thread_summary(article, own_ids=own_ids)
    key = (article.id, article.version)
    return cache.get_or_make(key, lambda: comments.thread_summary(article))
