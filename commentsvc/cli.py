"""The ``flask --app commentsvc`` commands (and the ``commentsvc`` console script)."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup
from flask_migrate import upgrade

from . import comments, moderation
from .errors import DomainError
from .forms import ARTICLE_KEY
from .models import utcnow


@click.command("init-db")
def init_db() -> None:
    """Create or upgrade the database schema through the migrations."""
    upgrade()
    click.echo("The database schema is up to date.")


@click.command("create-article")
@click.argument("key")
@click.option("--title", required=True, help="The article's title, shown above its comments.")
@click.option("--url", default="", help="The article's address on the host site.")
@click.option("--closed", is_flag=True, help="Show the comments but take no new ones.")
def create_article(key: str, title: str, url: str, closed: bool) -> None:
    """Register an article (a thread) ahead of its first reader."""
    if not ARTICLE_KEY.fullmatch(key):
        raise click.BadParameter(
            "1–200 characters, no spaces or control characters", param_hint="KEY"
        )
    article = comments.create_article(key, title=title, url=url, closed=closed)
    click.echo(f"Article {article.key!r} ({article.title}) is ready, id {article.id}.")


@click.command("approve")
@click.argument("comment_id", type=int)
def approve(comment_id: int) -> None:
    """Publish a pending comment."""
    try:
        comment = moderation.approve(comment_id, by="cli", now=utcnow())
    except DomainError as error:
        raise click.ClickException(str(error.message)) from error
    click.echo(f"Comment {comment.id} by {comment.author} is published.")


def register_commands(app: Flask) -> None:
    for command in (init_db, create_article, approve):
        app.cli.add_command(command)
    from .demo import seed_demo

    app.cli.add_command(seed_demo)
    from .data_commands import COMMANDS as DATA_COMMANDS  # issue 5

    for command in DATA_COMMANDS:
        app.cli.add_command(command)


def main() -> None:
    """The ``commentsvc`` console script: the same commands as ``flask --app commentsvc``."""
    from . import create_app

    FlaskGroup(create_app=create_app)(prog_name="commentsvc")
