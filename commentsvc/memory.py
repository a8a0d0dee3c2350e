"""What a worker keeps in memory: one store per app, bounded in entries and in bytes.

Everything kept is keyed by what makes it current (a thread's version, the page, the
language...), so a write anywhere, through any instance, makes a new key and nothing is served
stale: the old entry just ages out, least recently used first. The store holds the anonymous
answers of the read cache (``web/readcache.py``) and the parts of thread pages that every reader
sees alike (summaries, page starts, rendered comment lists); never a reader's own copy.

``THREAD_CACHE_ENTRIES`` bounds the number of entries (0 keeps nothing), and
``THREAD_CACHE_MEGABYTES`` their size: answers and rendered lists count their bytes, the small
values a nominal ``SMALL``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from flask import Flask, current_app

SMALL = 256  # what a summary or a tuple of page starts is counted as, in bytes
_MISSING = object()


class WorkerMemory:
    """A least-recently-used store of values by (kind, key), bounded in entries and bytes."""

    def __init__(self, entries: int, max_bytes: int):
        self.entries = entries
        self.max_bytes = max_bytes
        self.bytes = 0
        self._items: OrderedDict[tuple[str, Hashable], tuple[Any, int]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, kind: str, key: Hashable, default: Any = None) -> Any:
        with self._lock:
            item = self._items.get((kind, key))
            if item is None:
                return default
            self._items.move_to_end((kind, key))
            return item[0]

    def put(self, kind: str, key: Hashable, value: Any, size: int = SMALL) -> None:
        """Keep ``value``; the least recently used entries go while either bound is passed."""
        with self._lock:
            old = self._items.pop((kind, key), None)
            if old is not None:
                self.bytes -= old[1]
            self._items[(kind, key)] = (value, size)
            self.bytes += size
            while self._items and (len(self._items) > self.entries or self.bytes > self.max_bytes):
                _, (_, dropped) = self._items.popitem(last=False)
                self.bytes -= dropped

    def get_or_make(
        self,
        kind: str,
        key: Hashable,
        make: Callable[[], Any],
        size: Callable[[Any], int] | None = None,
    ) -> Any:
        """The kept value, or ``make()`` kept now (made outside the lock: a slow render does
        not hold up the other threads' reads)."""
        value = self.get(kind, key, _MISSING)
        if value is _MISSING:
            value = make()
            self.put(kind, key, value, size(value) if size else SMALL)
        return value

    def values(self, kind: str) -> list[Any]:
        with self._lock:
            return [value for (k, _), (value, _) in self._items.items() if k == kind]


def install(app: Flask) -> None:
    """Give the app its store, unless ``THREAD_CACHE_ENTRIES`` is 0."""
    entries = app.config["THREAD_CACHE_ENTRIES"]
    max_bytes = app.config["THREAD_CACHE_MEGABYTES"] * 1024 * 1024
    app.extensions["commentsvc_memory"] = WorkerMemory(entries, max_bytes) if entries else None


def worker_memory() -> WorkerMemory | None:
    """The current app's store; None when it keeps nothing."""
    return current_app.extensions.get("commentsvc_memory")
