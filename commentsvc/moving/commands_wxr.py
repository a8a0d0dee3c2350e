"""The command for leaving: ``export-wordpress``, every thread as a WordPress export (WXR)."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_babel import ngettext

from commentsvc.models.base import utcnow
from commentsvc.sites import config_for
from commentsvc.sites.options import site_option


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


@contextmanager
def private_file(output: str) -> Iterator[TextIO]:
    """A new file beside ``output``, readable by its owner only (0600), that becomes
    ``output`` only when the export is whole: an export that fails half way leaves no
    partial file, nor replaces an earlier one. A symbolic link at ``output`` is replaced,
    never followed."""
    target = Path(output)
    descriptor, part = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".part"
    )
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            yield out
        os.replace(part, target)
    except BaseException:
        Path(part).unlink(missing_ok=True)
        raise


@click.command("export-wordpress")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False),
    help="The file to write (readable by you only); standard output when left out.",
)
@with_appcontext
@site_option("The site whose threads are exported (default: default).")
def export_wordpress(output: str | None, site: str) -> None:
    """Write every article of a site with comments, and its comments, as a WordPress export
    (WXR 1.2) for WordPress's importer (Tools → Import → WordPress)."""
    from zoneinfo import ZoneInfo

    from commentsvc.moving import wxr
    from commentsvc.moving.core import ProgressBar

    config = config_for(site)  # the site's name and time zone
    about = wxr.Site(
        id=site,
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
            with private_file(output) as out, ProgressBar(_("Comments")) as bar:
                bar.start(wxr.comments_to_write(site))
                written = wxr.write_wxr(out, about, now=utcnow(), advance=bar.advance)
        except OSError as error:
            raise click.ClickException(
                _("The export cannot be written: %(error)s", error=error.strerror or error)
            ) from error
    else:
        # No bar here: on a terminal it would be drawn into the export itself.
        written = wxr.write_wxr(sys.stdout, about, now=utcnow())
    click.echo(
        _(
            "Exported %(articles)s and %(comments)s.",
            articles=ngettext("%(num)d article", "%(num)d articles", written.articles),
            comments=ngettext("%(num)d comment", "%(num)d comments", written.comments),
        ),
        err=True,
    )


COMMANDS = [export_wordpress]
