"""``commentsvc article close|reopen|premoderate|postmoderate KEY [--site ID]``: one thread's
state from the command line, as the desk's articles page changes it (audited, nothing else
of the article touched)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _

from commentsvc.errors import ArticleNotFound
from commentsvc.extensions import db
from commentsvc.models.base import utcnow
from commentsvc.moderation.articles import change_article, outcome
from commentsvc.sites.options import site_option
from commentsvc.threads.articles import find_article


@click.group("article")
def article() -> None:
    """Close, reopen, pre-moderate or post-moderate one article's comments."""


def _command(change: str, help_text: str) -> click.Command:
    @article.command(change, help=help_text)
    @click.argument("key")
    @site_option("The site the article is on (default: default).")
    @with_appcontext
    def command(key: str, site: str) -> None:
        try:
            found = find_article(key, site=site)
        except ArticleNotFound:
            raise click.ClickException(
                _("There is no article %(key)s on the site %(site)s.", key=key, site=site)
            ) from None
        now = utcnow()
        changed = change_article(found, change, by="cli", now=now)
        db.session.commit()
        name = _("The article %(key)s of the site %(site)s", key=key, site=site)
        click.echo(outcome(found, change, changed, name=name, now=now))

    return command


close = _command("close", "Take no new comments on the article; its comments stay shown.")
reopen = _command("reopen", "Take new comments on the article again.")
premoderate = _command(
    "premoderate", "Hold every new comment on the article for a moderator, whatever the policy."
)
postmoderate = _command(
    "postmoderate", "Moderate the article's new comments by the site's policy again."
)

COMMANDS = [article]
