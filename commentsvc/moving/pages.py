"""Which thread a page of the old system becomes: only pages on the site imported into get
one (the hosts of its origins, ALLOWED_ORIGINS, and PUBLIC_URL, and any old address the person
importing names with ``--host``); a page elsewhere, another site's included, is skipped, with
the reason in the summary."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from flask import current_app
from flask_babel import gettext as _

from commentsvc.sites import config_for, current_site_id


@dataclass(frozen=True)
class Page:
    """A page's thread: its key (the address's path and query) and its address."""

    key: str
    url: str


def _host(parts: SplitResult) -> str:
    """``host`` or ``host:port``, lower case; "" when the address has none or a bad port."""
    try:
        port = parts.port
    except ValueError:
        return ""
    host = (parts.hostname or "").lower()
    return f"{host}:{port}" if host and port else host


def _path(parts: SplitResult) -> str:
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


class SiteHosts:
    """The hosts whose pages may have threads on ``site`` (default: the command's), and the
    origin each is served from."""

    def __init__(self, extra: Iterable[str] = (), *, site: str | None = None):
        allowed = config_for(site or current_site_id())["ALLOWED_ORIGINS"]
        origins = [*allowed, current_app.config.get("PUBLIC_URL") or ""]
        self.origins: dict[str, str] = {}
        for origin in origins:
            parts = urlsplit(origin)
            if parts.scheme in ("http", "https") and _host(parts):
                self.origins.setdefault(_host(parts), f"{parts.scheme}://{parts.netloc}")
        for host in extra:
            parts = urlsplit(host if "://" in host else f"https://{host.strip()}")
            if _host(parts):
                self.origins.setdefault(_host(parts), f"{parts.scheme}://{parts.netloc}")

    def _elsewhere(self, host: str) -> str:
        return _(
            "its page is on %(host)s, which is not one of this service's sites "
            "(ALLOWED_ORIGINS, PUBLIC_URL); name an old address of the site with --host",
            host=host[:100] or "?",
        )

    def page(self, url: str) -> Page | str:
        """The thread for a page's full address, or why it gets none."""
        url = url.strip()
        try:
            parts = urlsplit(url)
        except ValueError:
            parts = None
        if parts is None or parts.scheme not in ("http", "https") or not _host(parts):
            return _("its page address %(url)r is not a web address", url=url[:100])
        if _host(parts) not in self.origins:
            return self._elsewhere(_host(parts))
        return Page(key=_path(parts), url=url.split("#", 1)[0])

    def page_on(self, host: str, path: str) -> Page | str:
        """The thread for a page given as host and path; with no host (an export that does
        not name it) the path alone is the key, and the page's address is left empty."""
        path = "/" + path.strip().lstrip("/")
        host = host.strip().split("/", 1)[0].lower()
        if not host:
            return Page(key=path, url="")
        origin = self.origins.get(host)
        if origin is None:
            return self._elsewhere(host)
        return Page(key=path, url=origin + path)
