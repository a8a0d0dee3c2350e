"""``--site ID`` for the commands that work on one site's threads (create-article, imports,
reports): the site must exist; without the option, the default site."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import ScriptInfo

from commentsvc.models.sites import DEFAULT_SITE


def _existing_site(ctx: click.Context, param: click.Parameter, value: str | None) -> str:
    from commentsvc.sites.registry import SiteNotFound, find_site

    if value is None:
        return DEFAULT_SITE
    if not current_app:
        # Options are checked before the command's @with_appcontext pushes the app's context:
        # look the site up in a context of its own, gone again whether it is found or not
        # (one left behind on the refusal would outlive the command).
        with ctx.ensure_object(ScriptInfo).load_app().app_context():
            return _existing_site(ctx, param, value)
    try:
        return find_site(value).id
    except SiteNotFound as error:
        raise click.BadParameter(str(error.message), param_hint="--site") from None


def site_option(
    help_text: str = "The site whose threads these are (default: default).",
) -> click.Option:
    """The option, as a decorator; the command receives ``site`` (an existing site's id), or
    exits with a usage error (code 2) naming the unknown site."""
    return click.option(
        "--site", "site", default=None, metavar="ID", callback=_existing_site, help=help_text
    )
