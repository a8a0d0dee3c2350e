"""The anonymous reads of a thread, answered from memory before Flask, and never stale.

Most reads of a thread are anonymous and alike: the JSON thread (``/api/v1/comments``), the
iframe page (``/embed``) and the counts (``/api/v1/counts``). Each worker keeps those answers
whole (status, headers, body, compressed or not) and answers a repeated read without Flask and
without a query.

A view says that its answer may be kept, and what it depends on, by calling ``share()``: the
versions of the threads it shows (``Article.version``, moved in the writing transaction by
every change that a reader could see: models.py), or "everything" for the counts, and the
moment it stops being good (a thread that closes by age, the iframe's form stamp).

A kept answer is good while each thread it shows still has that version. The worker keeps a map
of those versions and asks the database for it again, in one query, only when the watcher
(freshness.py) says that something was committed since it last asked: SQLite's data_version,
PostgreSQL's LISTEN/NOTIFY, and this process's own commits through the ORM session (so a
writer's next read on the same worker is current even before PostgreSQL's notification
arrives). When the watcher cannot tell (the listening connection is lost), nothing is answered
from memory.

Only requests that carry nothing personal are looked up: no cookie, no ``X-Own-Comments``, no
``Authorization``. The key is everything else such an answer may vary by: path and query (page,
language, an iframe's own tokens), Host and scheme (as sent and as forwarded), Origin (CORS),
Accept-Language and Accept-Encoding.
"""

from __future__ import annotations

import itertools
import math
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from flask import Flask, request
from sqlalchemy import Engine, bindparam, event, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from werkzeug.http import parse_etags, unquote_etag

from commentsvc.extensions import db
from commentsvc.memory import WorkerMemory
from commentsvc.models.threads import Article
from commentsvc.web.freshness import Watcher, watcher_for
from commentsvc.weburls import web_origin

SHARED = "commentsvc.shared"
ANSWER = "answer"  # the kind of entry in the app's store (memory.py)
PATHS = frozenset({"/api/v1/comments", "/api/v1/counts", "/embed"})
PERSONAL_HEADERS = ("HTTP_COOKIE", "HTTP_X_OWN_COMMENTS", "HTTP_AUTHORIZATION")
KEY_HEADERS = (
    "HTTP_HOST",
    "HTTP_X_FORWARDED_HOST",  # read by ProxyFix inside, when TRUSTED_PROXIES says so
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_ORIGIN",
    "HTTP_ACCEPT_LANGUAGE",
    "HTTP_ACCEPT_ENCODING",
)


def share(versions: Mapping[int, int] | None, *, until: datetime | None = None) -> None:
    """The answer being made is the same for every anonymous reader of this address: keep it
    while these threads (id: version) keep their versions (None: while nothing at all is
    committed) and until ``until``. Take the versions before reading the comments."""
    request.environ[SHARED] = (
        None if versions is None else dict(versions),
        until.timestamp() if until else math.inf,
    )


_commits_here = 0  # commits of this process's sessions, as they are done
_counting = itertools.count(1)


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    """A worker's own write is current on its next read, before any notification comes."""
    global _commits_here
    _commits_here = next(_counting)


@dataclass
class Answer:
    status: str
    headers: list[tuple[str, str]]
    body: bytes
    versions: dict[int, int] | None
    epoch: int  # the map's epoch when it was kept (answers that depend on everything)
    until: float


class ReadCache:
    def __init__(
        self,
        wsgi_app: Callable,
        engine: Engine,
        watcher: Watcher,
        store: WorkerMemory,
        *,
        clock: Callable[[], float] = time.time,
    ):
        self.wsgi_app = wsgi_app
        self.clock = clock
        self.engine = engine
        self.watcher = watcher
        self.store = store  # the app's one store (memory.py), shared with the thread parts
        self._versions: dict[int, int] = {}  # thread id: version, as of ``_seen``
        self._seen: tuple | None = None
        self._epoch = 0
        self._lock = threading.Lock()
        self._refreshing = threading.Lock()
        event.listen(engine, "engine_disposed", lambda engine: watcher.close())

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if (
            environ.get("REQUEST_METHOD") != "GET"
            or environ.get("PATH_INFO") not in PATHS
            or any(environ.get(h) for h in PERSONAL_HEADERS)
        ):
            return self.wsgi_app(environ, start_response)
        epoch = self.current_epoch()
        if epoch is None:  # the watcher cannot tell what changed: ask the database
            return self.wsgi_app(environ, start_response)
        key = (
            environ["PATH_INFO"],
            environ.get("QUERY_STRING", ""),
            environ.get("wsgi.url_scheme"),
            *(environ.get(h, "") for h in KEY_HEADERS),
            # Without Origin (an iframe's page) the Referer's origin may say whose site it is
            # (views/_site.py): its origin only, so each page of a host site shares the answer.
            web_origin(environ.get("HTTP_REFERER", "")),
        )
        answer = self.store.get(ANSWER, key)
        with self._lock:
            if answer is not None and self._good(answer, epoch):
                return _send(environ, start_response, answer)
        answer, shared = self._call_app(environ, epoch)
        if shared:
            self._keep(key, answer)
        start_response(answer.status, answer.headers)
        return [answer.body]

    def current_epoch(self) -> int | None:
        """The epoch of the version map, asked again first when anything was committed."""
        generation = self.watcher.generation()
        if generation is None:
            return None
        seen = (generation, _commits_here)  # read before asking: a later commit moves it
        if seen == self._seen:
            return self._epoch
        with self._refreshing:
            if seen != self._seen:
                try:
                    self._refresh(seen)
                except SQLAlchemyError:  # the database is away: Flask answers 503 and why
                    return None
            return self._epoch

    def _refresh(self, seen: tuple) -> None:
        wanted = {t for a in self.store.values(ANSWER) for t in (a.versions or ())}
        versions = {}
        if wanted:
            statement = select(Article.id, Article.version).where(
                Article.id.in_(bindparam("ids", expanding=True))
            )
            with self.engine.connect() as connection:
                rows = connection.execute(statement, {"ids": sorted(wanted)})
                versions = {thread: version for thread, version in rows}
        with self._lock:
            self._versions, self._seen = versions, seen
            self._epoch += 1

    def _good(self, answer: Answer, epoch: int) -> bool:
        if answer.until <= self.clock():
            return False
        if answer.versions is None:
            return answer.epoch == epoch
        return all(self._versions.get(t) == v for t, v in answer.versions.items())

    def _call_app(self, environ: dict, epoch: int) -> tuple[Answer, bool]:
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
        status, headers = captured
        shared = environ.get(SHARED)
        versions, until = shared or (None, 0.0)
        return Answer(status, headers, body, versions, epoch, until), shared is not None

    def _keep(self, key: tuple, answer: Answer) -> None:
        if not answer.status.startswith("200") or any(
            name.lower() == "set-cookie" for name, _ in answer.headers
        ):
            return
        with self._lock:
            if answer.epoch != self._epoch:
                return  # the map moved while the answer was made: keep nothing uncertain
            for thread, version in (answer.versions or {}).items():
                # A thread new to the map is current as of this epoch: the watcher's value
                # was read before the view read the thread.
                self._versions.setdefault(thread, version)
            if not self._good(answer, self._epoch):
                return
            self.store.put(ANSWER, key, answer, size=len(answer.body))


def _send(environ: dict, start_response: Callable, answer: Answer) -> Iterable[bytes]:
    etag = next((v for k, v in answer.headers if k.lower() == "etag"), None)
    wanted = environ.get("HTTP_IF_NONE_MATCH")
    if etag and wanted and parse_etags(wanted).contains_weak(unquote_etag(etag)[0]):
        kept = [(k, v) for k, v in answer.headers if k.lower() not in ("content-length",)]
        start_response("304 NOT MODIFIED", kept)
        return []
    start_response(answer.status, answer.headers)
    return [answer.body]


def install(app: Flask) -> None:
    """Put the cache in front of the app, unless it keeps nothing (``THREAD_CACHE_ENTRIES`` is
    0) or the database cannot be watched (an in-memory SQLite). Its answers live in the app's
    one store (memory.py), bounded with everything else kept in entries and in bytes."""
    store = app.extensions.get("commentsvc_memory")
    with app.app_context():
        engine = db.engine
    watcher = watcher_for(engine)
    if store is not None and watcher is not None:
        app.wsgi_app = ReadCache(app.wsgi_app, engine, watcher, store)
