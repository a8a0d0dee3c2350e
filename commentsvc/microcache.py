"""A per-worker micro-cache in front of Flask for the anonymous, public JSON reads.

A thread shared on social media is read thousands of times a minute by readers who all get the
same public answer (``Cache-Control: public, max-age=...``, which a CDN may already keep for
``CACHE_MAX_AGE`` seconds). With ``MICROCACHE_SECONDS`` > 0 each worker keeps those answers for
that long and serves them without a database query or a Flask request: a new comment reaches
anonymous readers of that worker at most that many seconds later. Off (0) by default, so a read
is never stale unless the site owner chooses it.

Only answers that every reader gets alike are kept: GET, no cookie, no ``X-Own-Comments`` (the
author's edit tokens), no ``Authorization``, a 200 marked ``public`` that sets no cookie. The key
holds everything such an answer may vary by: path, query, Origin (CORS headers),
Accept-Language and Accept-Encoding (the body kept is compressed for that reader or not).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable

CACHED_PATHS = frozenset({"/api/v1/comments", "/api/v1/counts"})
PERSONAL_HEADERS = ("HTTP_COOKIE", "HTTP_X_OWN_COMMENTS", "HTTP_AUTHORIZATION")


class MicroCache:
    def __init__(
        self,
        wsgi_app: Callable,
        seconds: float,
        *,
        entries: int = 1024,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.wsgi_app = wsgi_app
        self.seconds = seconds
        self.entries = entries
        self.clock = clock
        self._kept: OrderedDict[tuple, tuple[float, str, list, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if not self._cacheable(environ):
            return self.wsgi_app(environ, start_response)
        key = (
            environ.get("PATH_INFO"),
            environ.get("QUERY_STRING", ""),
            environ.get("HTTP_ORIGIN", ""),
            environ.get("HTTP_ACCEPT_LANGUAGE", ""),
            environ.get("HTTP_ACCEPT_ENCODING", ""),
        )
        now = self.clock()
        with self._lock:
            hit = self._kept.get(key)
        if hit is not None and hit[0] > now:
            _, status, headers, body = hit
            return self._answer(environ, start_response, status, headers, body)
        status, headers, body = self._call_app(environ)
        if self._storable(status, headers):
            with self._lock:
                self._kept[key] = (now + self.seconds, status, headers, body)
                self._kept.move_to_end(key)
                while len(self._kept) > self.entries:
                    self._kept.popitem(last=False)
        start_response(status, headers)
        return [body]

    @staticmethod
    def _cacheable(environ: dict) -> bool:
        return (
            environ.get("REQUEST_METHOD") == "GET"
            and environ.get("PATH_INFO") in CACHED_PATHS
            and not any(environ.get(h) for h in PERSONAL_HEADERS)
        )

    def _call_app(self, environ: dict) -> tuple[str, list, bytes]:
        captured: list = []

        def start_response(status, headers, exc_info=None):
            captured[:] = [status, list(headers)]
            return lambda data: None  # the app under us returns its body, as Flask does

        app_iter = self.wsgi_app(environ, start_response)
        try:
            body = b"".join(app_iter)
        finally:
            close = getattr(app_iter, "close", None)
            if close:
                close()
        return captured[0], captured[1], body

    @staticmethod
    def _storable(status: str, headers: list) -> bool:
        names = {name.lower(): value for name, value in headers}
        return (
            status.startswith("200")
            and "public" in names.get("cache-control", "")
            and "set-cookie" not in names
        )

    @staticmethod
    def _answer(environ, start_response, status, headers, body) -> Iterable[bytes]:
        etag = next((v for k, v in headers if k.lower() == "etag"), None)
        if etag and etag in environ.get("HTTP_IF_NONE_MATCH", ""):
            kept = [
                (k, v) for k, v in headers if k.lower() not in ("content-length", "content-type")
            ]
            start_response("304 NOT MODIFIED", kept)
            return []
        start_response(status, headers)
        return [body]


def install(app) -> None:
    """Put the micro-cache in front of the app when ``MICROCACHE_SECONDS`` asks for it."""
    seconds = app.config["MICROCACHE_SECONDS"]
    if seconds:
        app.wsgi_app = MicroCache(app.wsgi_app, seconds)
