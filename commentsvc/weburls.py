"""Web addresses: the one rule for every address we store or show, and the service's own.

``clean_web_url`` decides what may be stored (the website field, an article's address from
the query or the command line, imports); ``safe_href`` applies the same rule when an address
is shown (templates, the JSON API, feeds), so an address stored before the rule existed, or by
any other path, can never become a ``javascript:`` link. Only http and https pass: any other
scheme (``javascript:``, ``data:``, ``vbscript:``) can run code or show a page that looks like
ours when clicked.

``public_url`` builds the service's own absolute addresses (avatars, feeds, mails) from
``PUBLIC_URL``, never from the request's ``Host`` header: an answer kept by a cache is then the
same whatever Host the request that filled it claimed. ``own_origin`` is the origin of our own
pages by the same rule: every check of where a form or a write came from (Flask-WTF's Referer
check, the iframe's own-page check, the API's) compares with it. A proxy may forward Host
without its port (nginx's ``$host``), and a client may send any Host it likes.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import current_app, has_request_context, request, url_for
from flask_babel import lazy_gettext as _l

# C0 and C1 control characters, and white space: none belongs in an address.
_FORBIDDEN = re.compile(r"[\s\x00-\x1f\x7f-\x9f]")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)
# A host name (letters of any script, digits, dots, hyphens) or an IP address.
_HOST = re.compile(r"[\w.-]+|[0-9a-f:.]+")
SHOWN_MAX = 500  # the longest address any column keeps (Article.url)

NOT_A_WEB_ADDRESS = _l("Enter a web address that starts with http:// or https://.")
URL_TOO_LONG = _l("The web address can be at most %(limit)s characters; it has %(length)s.")
CONTROL_CHARACTERS = _l("The web address may not contain spaces or control characters.")


class BadWebUrl(ValueError):
    """An address we will not store or link to; ``message`` says why, for the person."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def clean_web_url(value: str | None, *, limit: int, bare_domain: bool = True) -> str:
    """The address as it is stored, "" for none, or BadWebUrl.

    ``bare_domain``: ``example.se/sida`` becomes ``https://example.se/sida``, as a reader
    typing their website expects.
    """
    url = (value or "").strip()
    if not url:
        return ""
    if _FORBIDDEN.search(url):
        raise BadWebUrl(CONTROL_CHARACTERS)
    if bare_domain and "://" not in url and not _SCHEME.match(url):
        url = "https://" + url
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
        host = parts.hostname or ""
    except ValueError as error:  # "http://[broken": an unclosed IPv6 bracket, a bad port
        raise BadWebUrl(NOT_A_WEB_ADDRESS) from error
    if (
        parts.scheme.lower() not in ("http", "https")
        or not _HOST.fullmatch(host)
        or "\\" in url  # browsers read a backslash as a slash: http:\\evil.example
    ):
        raise BadWebUrl(NOT_A_WEB_ADDRESS)
    if len(url) > limit:
        raise BadWebUrl(URL_TOO_LONG % {"limit": limit, "length": len(url)})
    return url


def safe_href(value: str | None) -> str | None:
    """The address when it may be a link (the stored rule), else None: show no link."""
    try:
        return clean_web_url(value, limit=SHOWN_MAX, bare_domain=False) or None
    except BadWebUrl:
        return None


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of an address that passed ``clean_web_url``."""
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def on_origins(url: str, origins: list[str]) -> bool:
    """Does the address lie on one of these origins (``https://www.example.se``)?"""
    return origin_of(url) in {o.lower() for o in origins}


def public_url(endpoint: str, **values) -> str:
    """One of our own addresses for people outside a page of ours (JSON, feeds, mails):
    absolute from ``PUBLIC_URL``; without it (development and tests only, config.py refuses
    to start otherwise) relative to the service, never built from the request's Host."""
    if not has_request_context():
        # A command (send-mail writing readers' notifications) has no request: the path is
        # built as for a request at the service's root; PUBLIC_URL gives the rest.
        with current_app.test_request_context():
            return public_base() + url_for(endpoint, **values)
    return public_base() + url_for(endpoint, **values)


def public_base() -> str:
    """``PUBLIC_URL`` without its last slash, or "" (development and tests)."""
    return current_app.config["PUBLIC_URL"]


def web_origin(url: str) -> str:
    """``scheme://host[:port]`` of any address, lower case, the scheme's default port left out
    (as browsers write Origin), or "" when it has no host."""
    try:
        parts = urlsplit(url.strip())
        scheme, host, port = parts.scheme.lower(), (parts.hostname or ""), parts.port
    except ValueError:  # a port that is not a number, an unclosed IPv6 bracket
        return ""
    if not host or scheme not in ("http", "https"):
        return ""
    if ":" in host:
        host = f"[{host}]"
    if port is None or (scheme, port) in (("http", 80), ("https", 443)):
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def own_origin() -> str:
    """The origin of our own pages: PUBLIC_URL's. Only without it (development and tests,
    config.py refuses to start otherwise) the address the request was sent to."""
    return web_origin(public_base() or request.host_url)


def request_origin() -> str:
    """The origin the request came from: its Origin header, else its Referer's, else ""."""
    origin = request.headers.get("Origin") or ""
    if origin and origin != "null":
        return web_origin(origin)
    return web_origin(request.headers.get("Referer") or "")


def from_own_origin() -> bool:
    """Was the request sent by a page of ours (Origin, or without it Referer, is ours)?"""
    return request_origin() == own_origin()
