"""Atom feeds of published comments: per article (``?article=KEY``) or for the whole site."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

from commentsvc import feeds, threads
from commentsvc.models.base import utcnow
from commentsvc.sanitize import xml_chars
from commentsvc.sites import current_site_id
from commentsvc.views._thread import article_key_arg

bp = Blueprint("feeds", __name__)


@bp.get("/feed.atom")
def comments_feed():
    article = threads.find_article(article_key_arg()) if "article" in request.args else None
    entries = feeds.latest_comments(article, site=current_site_id())
    # A character XML forbids, in a row stored before names and texts were made plain, would
    # make the whole feed unreadable for every reader: it is dropped here.
    body = xml_chars(
        render_template(
            "feeds/comments.atom.xml",
            article=article,
            entries=entries,
            updated=entries[0].created_at
            if entries
            else (article.created_at if article else utcnow()),
        )
    )
    response = current_app.response_class(body, mimetype="application/atom+xml")
    # The same for every reader (published comments only): a CDN may keep it a minute.
    response.headers["Cache-Control"] = "public, max-age=60"
    return response
