"""The articles page: every thread of the moderator's sites, searched by a part of its title,
with its state and counts; close, reopen, pre-moderate or post-moderate one of them."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext

from commentsvc.extensions import db
from commentsvc.models.base import utcnow
from commentsvc.moderation import articles
from commentsvc.moderation.auth import current_access, login_required
from commentsvc.views.moderation._common import actor, bp, safe_next
from commentsvc.views.moderation.comments import arg_page

SEARCH_MAX = 200
CHANGE_RULE = "<any(close, reopen, premoderate, postmoderate):action>"


@bp.get("/articles")
@login_required
def articles_page():
    title = (request.args.get("q") or "").strip()[:SEARCH_MAX] or None
    site = request.args.get("site") or None
    found = articles.list_articles(
        title=title, sites=current_access().narrowed(site), page=arg_page(), now=utcnow()
    )
    return render_template("moderation/articles.html", found=found, search=title, site=site)


@bp.post(f"/articles/<int:article_id>/{CHANGE_RULE}")
@login_required
def article_action(article_id: int, action: str):
    # Another site's article is 404 before this runs (_common.keep_to_own_sites).
    article = articles.get_article(article_id)
    now = utcnow()
    changed = articles.change_article(article, action, by=actor(), now=now)
    db.session.commit()
    name = gettext("”%(title)s”", title=article.title or article.key)
    flash(articles.outcome(article, action, changed, name=name, now=now))
    back = safe_next(url_for("moderation.articles_page"))
    return redirect(f"{back}#article-{article.id}", code=303)
