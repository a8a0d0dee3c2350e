"""Which site a request is for, chosen once before any view runs.

The site is the one that owns the request's ``Origin``: a page of a host site reaches its own
site's threads and no other's, whatever it names. Where no origin tells (the iframe's page, a
link to the plain page, a feed reader, a program), ``site`` in the query or the form names it,
or else the Referer's origin does; a request that names nothing is the default site's.
"""

from __future__ import annotations

from flask import Flask, request
from flask_babel import lazy_gettext as _l

from commentsvc.errors import OriginNotAllowed
from commentsvc.sites import DEFAULT_SITE, find_site, site_of_origin
from commentsvc.sites.config import enter_site
from commentsvc.weburls import web_origin

SITE_ARG = "site"
# The desk's blueprints: they work on the sites of their comments, and read ``site`` as a
# filter of their own (the transparency report's), never as the request's site.
DESK_BLUEPRINTS = frozenset({"moderation", "report_moderation"})


def named_site() -> str | None:
    """The site the request names (``site`` in the query or the posted form), if any."""
    named = request.args.get(SITE_ARG)
    if named is None and request.mimetype in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        named = request.form.get(SITE_ARG)
    return named.strip() if named is not None else None


def request_site() -> str:
    """The site the request is for (see the module's text); SiteNotFound for a named site that
    does not exist, OriginNotAllowed for a host page naming another site than its own."""
    origin = request.headers.get("Origin") or ""
    owner = site_of_origin(web_origin(origin)) if origin and origin != "null" else None
    named = named_site()
    if owner is not None:
        if named and named != owner:
            raise OriginNotAllowed(
                _l("This website may not reach the discussions of another site."), field="site"
            )
        return owner
    if named:
        return find_site(named).id
    referer = web_origin(request.headers.get("Referer") or "")
    return site_of_origin(referer) or DEFAULT_SITE


def install(app: Flask) -> None:
    @app.before_request
    def choose_site() -> None:
        if request.endpoint in (None, "static") or request.blueprint in DESK_BLUEPRINTS:
            return  # the desk works on the sites of its comments, not of the request
        enter_site(request_site())
