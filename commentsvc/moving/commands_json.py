"""Commands that move comments in from the JSON exports of Remark42, Commento and Comentario."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _

from commentsvc.models.base import utcnow
from commentsvc.moving.commands import DRY_RUN, HOSTS, SITE, _progress, _run_import

if TYPE_CHECKING:  # the readers load when a command runs, not in every worker
    from commentsvc.moving.core import ProgressBar


def _run(do_import: Callable[..., object], *, site: str) -> None:
    """Run an importer on ``site`` with the imports' progress bar on a terminal (the readers
    say how far through the file they are), else the progress lines; then its summary."""

    def run(bar: ProgressBar):
        done = 0
        bar.start(1000)

        def advance(fraction: float) -> None:
            nonlocal done
            step = max(0, int(fraction * 1000) - done)
            done += step
            bar.advance(step)

        shown = bar.shown
        return do_import(progress=None if shown else _progress, advance=advance if shown else None)

    _run_import(run, _("Importing"), site=site)


@click.command("import-remark42")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@HOSTS
@DRY_RUN
@with_appcontext
@SITE
def import_remark42(file: str, hosts: tuple[str, ...], dry_run: bool, site: str) -> None:
    """Import the comments of a Remark42 backup (its JSON-lines export, gzipped or not)."""
    from commentsvc.moving import remark42  # loaded when used: not in every worker

    _run(partial(remark42.import_file, file, now=utcnow(), hosts=hosts, dry_run=dry_run), site=site)


@click.command("import-commento")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@HOSTS
@DRY_RUN
@with_appcontext
@SITE
def import_commento(file: str, hosts: tuple[str, ...], dry_run: bool, site: str) -> None:
    """Import the comments of a Commento or Comentario export (JSON, gzipped or not).

    Commenters' email addresses are kept with their comments (never shown); nobody is
    subscribed or mailed.
    """
    from commentsvc.moving import commento  # loaded when used: not in every worker

    _run(partial(commento.import_file, file, now=utcnow(), hosts=hosts, dry_run=dry_run), site=site)


COMMANDS = [import_remark42, import_commento]
