"""Static files as a production service serves them, whatever proxy stands in front.

WhiteNoise answers ``/static/…`` before Flask. Each file is served under two addresses:
``/static/thread.js`` (cached briefly, for anything that kept an old link) and
``/static/thread.<content hash>.js``, which the templates use (``url_for('static', …)``) and
which is cached for a year as ``immutable``: a new release has new hashes, so browsers and CDNs
fetch the changed files at once and never ask about the others. The wheel carries gzip and
brotli copies made at build time (setup.py), which WhiteNoise picks by ``Accept-Encoding``.

``/embed.js`` keeps one stable address that host pages write into their HTML; it is a view
(embed.py), cached for minutes with an ETag, and compressed with the other dynamic answers by
Flask-Compress (extensions.py).
"""

from __future__ import annotations

import hashlib
import os

from flask import Flask
from whitenoise import WhiteNoise

STATIC_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "static")
PREFIX = "/static/"
ONE_YEAR = 365 * 24 * 60 * 60
UNVERSIONED_MAX_AGE = 300


def content_hash(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()[:12]


def versioned_name(name: str, digest: str) -> str:
    """``thread.js`` → ``thread.<digest>.js``."""
    stem, dot, extension = name.rpartition(".")
    return f"{stem}.{digest}.{extension}" if dot else f"{name}.{digest}"


class StaticFiles(WhiteNoise):
    """WhiteNoise that also serves every file under its content-hashed name, for a year."""

    FOREVER = ONE_YEAR

    def __init__(self, application, root: str):
        self.versioned: dict[str, str] = {}  # "thread.js" -> "thread.<hash>.js"
        self.immutable_urls: set[str] = set()
        super().__init__(application, root=root, prefix=PREFIX, max_age=UNVERSIONED_MAX_AGE)

    def add_file_to_dictionary(self, url, path, stat_cache=None):
        super().add_file_to_dictionary(url, path, stat_cache=stat_cache)
        if self.is_compressed_variant(path, stat_cache=stat_cache) or url in self.immutable_urls:
            return
        name = url[len(PREFIX) :]
        self.versioned[name] = versioned_name(name, content_hash(path))
        versioned_url = PREFIX + self.versioned[name]
        self.immutable_urls.add(versioned_url)
        super().add_file_to_dictionary(versioned_url, path, stat_cache=stat_cache)

    def immutable_file_test(self, path, url):
        return url in self.immutable_urls


def install(app: Flask) -> None:
    """Serve the static files through WhiteNoise and make ``url_for('static')`` versioned."""
    if app.debug:
        # ``flask --debug run``: Flask serves the files as they are on disk, so an edited
        # script shows at the next reload of the page (WhiteNoise reads them once, at start).
        return
    static = StaticFiles(app.wsgi_app, STATIC_DIR)
    app.wsgi_app = static  # type: ignore[method-assign]

    @app.url_defaults
    def versioned_static_url(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "filename" in values:
            values["filename"] = static.versioned.get(values["filename"], values["filename"])
