"""The command for leaving: ``export-wordpress``, every thread as a WordPress export (WXR)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_babel import ngettext

from commentsvc.models.base import utcnow


def refused_path(output: str) -> str | None:
    """Why the export must not be written at ``output``, or None.

    The file holds every commenter's email address: inside the folder the service serves
    as public static files, anyone could download it.
    """
    target = Path(output).resolve()
    static = current_app.static_folder
    if static and target.is_relative_to(Path(static).resolve()):
        return _(
            "%(path)s is inside the folder the service publishes (%(folder)s): anyone could "
            "download the export. Choose a path outside it.",
            path=output,
            folder=static,
        )
    return None


def open_private(output: str):
    """``output`` opened for writing, readable by its owner only (0600), never through a
    symbolic link."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
    descriptor = os.open(output, flags, 0o600)
    os.fchmod(descriptor, 0o600)  # an existing file keeps its mode otherwise
    return os.fdopen(descriptor, "w", encoding="utf-8")


@click.command("export-wordpress")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False),
    help="The file to write (readable by you only); standard output when left out.",
)
@with_appcontext
def export_wordpress(output: str | None) -> None:
    """Write every article with comments, and its comments, as a WordPress export (WXR 1.2)
    for WordPress's importer (Tools → Import → WordPress)."""
    from zoneinfo import ZoneInfo

    from commentsvc.moving import wxr
    from commentsvc.moving.core import ProgressBar

    config = current_app.config
    site = wxr.Site(
        name=config["SITE_NAME"],
        url=config.get("PUBLIC_URL") or "",
        zone=ZoneInfo(config["TIMEZONE"]),
    )
    click.echo(
        _(
            "The export holds personal data: every commenter's name, email address and "
            "anonymized IP address. Keep it as safe as the database, send it only to the "
            "site that imports it, and delete it afterwards."
        ),
        err=True,
    )
    if output:
        why = refused_path(output)
        if why:
            raise click.ClickException(why)
        try:
            out = open_private(output)
        except OSError as error:
            raise click.ClickException(
                _("The export cannot be written: %(error)s", error=error.strerror or error)
            ) from error
        with out, ProgressBar(_("Comments")) as bar:
            bar.start(wxr.comments_to_write())
            written = wxr.write_wxr(out, site, now=utcnow(), advance=bar.advance)
    else:
        # No bar here: on a terminal it would be drawn into the export itself.
        written = wxr.write_wxr(sys.stdout, site, now=utcnow())
    click.echo(
        _(
            "Exported %(articles)s and %(comments)s.",
            articles=ngettext("%(num)d article", "%(num)d articles", written.articles),
            comments=ngettext("%(num)d comment", "%(num)d comments", written.comments),
        ),
        err=True,
    )


COMMANDS = [export_wordpress]
