"""``--site ID`` for the commands that work on one site's threads (create-article, imports,
reports): the site must exist; without the option, the default site."""

from __future__ import annotations

import click

from commentsvc.models.sites import DEFAULT_SITE


def _existing_site(ctx: click.Context, param: click.Parameter, value: str | None) -> str:
    from flask import current_app
    from flask.cli import ScriptInfo

    from commentsvc.sites.registry import SiteNotFound, find_site

    if value is None:
        return DEFAULT_SITE
    if not current_app:
        # Options are read before the command's own app context (with_appcontext) begins:
        # the look-up needs one, the same one the command then runs in.
        app = ctx.ensure_object(ScriptInfo).load_app()
        ctx.with_resource(app.app_context())
    try:
        return find_site(value).id
    except SiteNotFound as error:
        raise click.BadParameter(str(error.message), param_hint="--site") from None


def site_option(
    help_text: str = "The site whose threads these are (default: default).",
) -> click.Option:
    """The option, as a decorator; the command receives ``site`` (an existing site's id). Put it
    under ``@with_appcontext``: the site is looked up in the database."""
    return click.option(
        "--site", "site", default=None, metavar="ID", callback=_existing_site, help=help_text
    )
