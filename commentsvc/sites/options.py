"""``--site ID`` for the commands that work on one site's threads (create-article, imports,
reports): the site must exist; without the option, the default site."""

from __future__ import annotations

from contextlib import nullcontext

import click

from commentsvc.models.sites import DEFAULT_SITE


def _existing_site(ctx: click.Context, param: click.Parameter, value: str | None) -> str:
    from flask import has_app_context
    from flask.cli import ScriptInfo

    from commentsvc.sites.registry import SiteNotFound, find_site

    if value is None:
        return DEFAULT_SITE
    # Options are read before the command runs, so before ``with_appcontext`` has pushed the
    # app's context: the look-up brings its own.
    with (
        nullcontext()
        if has_app_context()
        else ctx.ensure_object(ScriptInfo).load_app().app_context()
    ):
        try:
            return find_site(value).id
        except SiteNotFound as error:
            raise click.BadParameter(str(error.message), param_hint="--site") from None


def site_option(
    help_text: str = "The site whose threads these are (default: default).",
) -> click.Option:
    """The option, as a decorator; the command receives ``site`` (an existing site's id)."""
    return click.option(
        "--site", "site", default=None, metavar="ID", callback=_existing_site, help=help_text
    )
