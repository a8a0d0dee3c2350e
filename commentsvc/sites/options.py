"""``--site ID`` for the commands that work on one site's threads (create-article, imports,
reports): the site must exist; without the option, the default site (or, for a command about
every site unless told otherwise, None)."""

from __future__ import annotations

from functools import partial

import click
from flask import current_app
from flask.cli import ScriptInfo

from commentsvc.models.sites import DEFAULT_SITE


def _existing_site(
    ctx: click.Context, param: click.Parameter, value: str | None, *, absent: str | None
) -> str | None:
    from commentsvc.sites.registry import SiteNotFound, find_site

    if value is None:
        return absent
    if not current_app:
        # Options are read before the command's @with_appcontext pushes the app's context:
        # look the site up in a context of its own, gone again whether it is found or not
        # (one left behind on the refusal would outlive the command).
        with ctx.ensure_object(ScriptInfo).load_app().app_context():
            return _existing_site(ctx, param, value, absent=absent)
    try:
        return find_site(value).id
    except SiteNotFound as error:
        raise click.BadParameter(str(error.message), param_hint="--site") from None


def site_option(
    help_text: str = "The site whose threads these are (default: default).",
    *,
    every_site: bool = False,
) -> click.Option:
    """The option, as a decorator; the command receives ``site`` (an existing site's id; with
    ``every_site``, None when the option is left out)."""
    return click.option(
        "--site",
        "site",
        default=None,
        metavar="ID",
        callback=partial(_existing_site, absent=None if every_site else DEFAULT_SITE),
        help=help_text,
    )
