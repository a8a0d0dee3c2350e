"""``import-isso``: moving in from an Isso installation (its SQLite database)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _

from commentsvc.models.base import utcnow
from commentsvc.moving.commands import DRY_RUN, HOSTS, SITE, _progress, _run_import


@click.command("import-isso")
@click.argument("database", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--base-url",
    help="The site the threads' pages are on, when Isso knows them by path (one of the "
    "site's origins; the only one is taken when there is one).",
)
@HOSTS
@DRY_RUN
@with_appcontext
@SITE
def import_isso(
    database: str, base_url: str | None, hosts: tuple[str, ...], dry_run: bool, site: str
) -> None:
    """Import the comments of an Isso database (dbpath in Isso's configuration), read-only."""
    from commentsvc.moving import isso  # loaded when used: not in every worker

    _run_import(
        lambda bar: isso.import_database(
            database,
            base_url=base_url,
            hosts=hosts,
            now=utcnow(),
            progress=_progress,
            dry_run=dry_run,
            bar=bar,
        ),
        _("Comments"),
        site=site,
    )
