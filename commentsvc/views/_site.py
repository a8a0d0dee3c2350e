"""Which site a request is for, chosen once before any view runs.

The site is the one that owns the request's ``Origin``: a page of a host site reaches its own
site's threads and no other's, whatever it names. Where no origin tells (the iframe's page, a
link to the plain page, a feed reader, a program), ``site`` in the query or the form names it,
or else the Referer's origin does; a request that names nothing is the default site's.
"""

from __future__ import annotations

from flask import Flask, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from commentsvc.errors import CommentNotFound, OriginNotAllowed
from commentsvc.extensions import db
from commentsvc.models.threads import Article, Comment
from commentsvc.sites import DEFAULT_SITE, find_site, site_of_origin
from commentsvc.sites.config import current_site_id, enter_site
from commentsvc.weburls import web_origin

SITE_ARG = "site"


def named_site() -> str | None:
    """The site the request names (``site`` in the query or the posted form), if any."""
    named = request.args.get(SITE_ARG)
    if named is None and request.mimetype in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        named = request.form.get(SITE_ARG)
    return named.strip() if named is not None else None


def site_of_comment(comment_id: int) -> str | None:
    """The site of a comment's thread (None: no such comment; the view says 404)."""
    found = select(Article.site_id).join(Comment.article).where(Comment.id == comment_id)
    return db.session.execute(found).scalar_one_or_none()


def request_site() -> str:
    """The site the request is for (see the module's text); SiteNotFound for a named site that
    does not exist, OriginNotAllowed for a host page naming another site than its own.

    A route about one comment (``/comments/<id>/…``, the API's) is for the comment's site: a
    host page of another site gets 404, as if the comment did not exist."""
    origin = request.headers.get("Origin") or ""
    owner = site_of_origin(web_origin(origin)) if origin and origin != "null" else None
    named = named_site()
    comment_id = (request.view_args or {}).get("comment_id")
    if comment_id is not None:
        site = site_of_comment(comment_id)
        if site is not None and (owner or site) != site:
            raise CommentNotFound(_l("There is no comment %(id)s.", id=comment_id))
        if site is not None:
            return site
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


# Our addresses of one thread (by its key) or of a site's threads: a link to one of them made
# while serving a site carries the site, so the page it opens is that site's.
THREAD_ENDPOINTS = frozenset(
    {
        "public.thread",
        "public.post_comment",
        "embed.frame",
        "embed.post_comment",
        "feeds.comments_feed",
        "api.list_comments",
        "api.counts",
    }
)
DESK_BLUEPRINTS = frozenset({"moderation", "report_moderation"})
# Answers the same for every site, which must not wait for the database (the script, the
# avatars, the health check, the API's description and its form stamp).
SITELESS_ENDPOINTS = frozenset(
    {"static", "embed.script", "public.avatar", "public.healthz", "api.openapi", "api.form_stamp"}
)


def install(app: Flask) -> None:
    @app.before_request
    def choose_site() -> None:
        if request.endpoint in (None, *SITELESS_ENDPOINTS):
            return
        if request.blueprint in DESK_BLUEPRINTS:
            return  # the desk works on the sites of its comments, not of the request
        enter_site(request_site())

    @app.url_defaults
    def carry_site(endpoint: str, values: dict) -> None:
        if endpoint in THREAD_ENDPOINTS and "site" not in values:
            site = current_site_id()
            if site != DEFAULT_SITE:
                values["site"] = site
