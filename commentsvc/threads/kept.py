"""Values a worker keeps per thread version, bounded in entries."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from flask import current_app


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
