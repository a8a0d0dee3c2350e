"""Commands that move comments in from the JSON exports of Remark42, Commento and Comentario."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _

from commentsvc.models.base import utcnow
from commentsvc.moving.commands import _progress, _run_import

_HOST_HELP = (
    "Also take the pages of this host (an old address of the site); repeatable. "
    "Pages on the hosts of ALLOWED_ORIGINS and PUBLIC_URL are always taken."
)
_DRY_RUN_HELP = "Read the whole file and say what would be imported; write nothing."


def _run(do_import, dry_run: bool) -> None:
    _run_import(do_import)
    if dry_run:
        click.echo(_("Dry run: nothing was written."))


@click.command("import-remark42")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--host", "hosts", multiple=True, help=_HOST_HELP)
@click.option("--dry-run", is_flag=True, help=_DRY_RUN_HELP)
@with_appcontext
def import_remark42(file: str, hosts: tuple[str, ...], dry_run: bool) -> None:
    """Import the comments of a Remark42 backup (its JSON-lines export, gzipped or not)."""
    from commentsvc.moving import remark42  # loaded when used: not in every worker

    _run(
        lambda: remark42.import_file(
            file, now=utcnow(), hosts=hosts, dry_run=dry_run, progress=_progress
        ),
        dry_run,
    )


@click.command("import-commento")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--host", "hosts", multiple=True, help=_HOST_HELP)
@click.option("--dry-run", is_flag=True, help=_DRY_RUN_HELP)
@with_appcontext
def import_commento(file: str, hosts: tuple[str, ...], dry_run: bool) -> None:
    """Import the comments of a Commento or Comentario export (JSON, gzipped or not).

    Commenters' email addresses are kept with their comments (never shown); nobody is
    subscribed or mailed.
    """
    from commentsvc.moving import commento  # loaded when used: not in every worker

    _run(
        lambda: commento.import_file(
            file, now=utcnow(), hosts=hosts, dry_run=dry_run, progress=_progress
        ),
        dry_run,
    )


COMMANDS = [import_remark42, import_commento]
