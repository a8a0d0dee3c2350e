"""Commands for moving in and for personal data (issue 5): imports, export/restore, GDPR, purge."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from .errors import DomainError
from .models import utcnow


def _progress(message: str) -> None:
    click.echo(message, err=True)


def _fail(error: DomainError) -> click.ClickException:
    return click.ClickException(str(error.message))


@click.command("import-wordpress")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--key",
    type=click.Choice(["slug", "id", "path"]),
    default="slug",
    show_default=True,
    help="What becomes the article key: the post's slug, its id, or its permalink's path.",
)
@click.option("--keep-pings", is_flag=True, help="Import pingbacks and trackbacks too.")
@with_appcontext
def import_wordpress(file: str, key: str, keep_pings: bool) -> None:
    """Import the comments of a WordPress export (Tools → Export) into their threads."""
    from .importers import wordpress

    try:
        summary = wordpress.import_file(
            file, key=key, keep_pings=keep_pings, now=utcnow(), progress=_progress
        )
    except DomainError as error:
        raise _fail(error) from error
    for line in summary.lines():
        click.echo(line)


COMMANDS = [import_wordpress]
