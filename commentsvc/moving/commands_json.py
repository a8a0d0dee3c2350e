"""Commands that move comments in from the JSON exports of Remark42, Commento and Comentario."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import TYPE_CHECKING

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _

from commentsvc.models.base import utcnow
from commentsvc.moving.commands import _progress, _run_import

if TYPE_CHECKING:  # the readers load when a command runs, not in every worker
    from commentsvc.moving.jsonfiles import Advance

_HOST_HELP = (
    "Also take the pages of this host (an old address of the site); repeatable. "
    "Pages on the hosts of ALLOWED_ORIGINS and PUBLIC_URL are always taken."
)
_DRY_RUN_HELP = "Read the whole file and say what would be imported; write nothing."


@contextmanager
def _bar() -> Iterator[Advance | None]:
    """A progress bar on standard error while standard output is a terminal; else none (a
    script or cron job reading the summary gets no bar characters)."""
    if not sys.stdout.isatty():
        yield None
        return
    with click.progressbar(length=1000, label=_("Importing"), file=sys.stderr) as bar:

        def advance(done: float) -> None:
            bar.update(max(0, int(done * 1000) - bar.pos))

        yield advance


def _run(do_import: Callable[..., object], dry_run: bool) -> None:
    """Run an importer with a bar on a terminal (else the progress lines), then its summary."""
    with _bar() as advance:
        progress = None if advance else _progress
        _run_import(lambda: do_import(progress=progress, advance=advance))
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

    _run(partial(remark42.import_file, file, now=utcnow(), hosts=hosts, dry_run=dry_run), dry_run)


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

    _run(partial(commento.import_file, file, now=utcnow(), hosts=hosts, dry_run=dry_run), dry_run)


COMMANDS = [import_remark42, import_commento]
