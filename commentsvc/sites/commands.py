"""``commentsvc site add|list|show|set|remove``: the host sites of the installation.

Each command is one action: it changes through the registry's services and commits once, or
refuses with a message and exit code 2, leaving nothing half done. Changes are audited by
"cli", as the other commands' are.
"""

from __future__ import annotations

import json
from typing import Any

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _

from commentsvc.extensions import db
from commentsvc.models.base import utcnow
from commentsvc.setting_specs import SETTINGS
from commentsvc.sites import registry
from commentsvc.sites.config import config_for
from commentsvc.weburls import web_origin

ACTOR = "cli"


def _hint(field: str | None) -> str:
    """Which part of the command line a refusal is about (the service names its field)."""
    return {
        "id": "ID",
        "name": "--name",
        "origin": "--origin",
        "with_threads": "--with-threads",
    }.get(field or "id", field or "ID")


def _refused(error: registry.SiteInvalid | registry.SiteNotFound) -> click.BadParameter:
    db.session.rollback()
    return click.BadParameter(str(error.message), param_hint=_hint(error.field))


def _value(text: str) -> Any:
    """A value as COMMENTSVC_ environment variables are read: JSON where it parses
    (``5``, ``true``, ``["a", "b"]``), else the text itself."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def parse_assignments(assignments: tuple[str, ...]) -> dict[str, Any]:
    """``KEY=VALUE`` words as ``{KEY: value}``; ``KEY=`` is None (the installation's value)."""
    values: dict[str, Any] = {}
    for word in assignments:
        key, equals, text = word.partition("=")
        if not equals or not key.strip():
            raise click.BadParameter(
                _("%(word)s is not KEY=VALUE.", word=word), param_hint="KEY=VALUE"
            )
        values[key.strip().upper()] = None if text == "" else _value(text)
    return values


def _shown(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _site_id_argument(function):
    return click.argument("site_id", metavar="ID")(function)


@click.group("site")
def site() -> None:
    """The host sites of this installation, each with its origins and own settings."""


@site.command("add")
@_site_id_argument
@click.option("--name", required=True, help="The site's name, as readers and mails show it.")
@click.option(
    "--origin",
    "origins",
    multiple=True,
    metavar="ORIGIN",
    help="An origin of the site's pages, like https://www.example.se (repeatable).",
)
@click.argument("assignments", nargs=-1, metavar="[KEY=VALUE]...")
@with_appcontext
def add(site_id: str, name: str, origins: tuple[str, ...], assignments: tuple[str, ...]) -> None:
    """Add a site with its origins and, as KEY=VALUE, its own settings."""
    values = {k: v for k, v in parse_assignments(assignments).items() if v is not None}
    try:
        added = registry.add_site(
            site_id, name=name, origins=origins, settings=values, by=ACTOR, now=utcnow()
        )
    except registry.SiteInvalid as error:
        raise _refused(error) from None
    db.session.commit()
    click.echo(_("The site %(site)s (%(name)s) is added.", site=added.id, name=added.name))


@site.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON list, for scripts.")
@with_appcontext
def list_sites(as_json: bool) -> None:
    """Every site: its id, name, origins and how many threads it has."""
    counts = registry.thread_counts()
    rows = [
        {
            "id": each.id,
            "name": each.name,
            "origins": list(config_for(each.id)["ALLOWED_ORIGINS"]),
            "threads": counts.get(each.id, 0),
        }
        for each in registry.all_sites()
    ]
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    click.echo("\t".join((_("Id"), _("Name"), _("Origins"), _("Threads"))))
    for row in rows:
        origins = " ".join(row["origins"]) or "-"
        click.echo(f"{row['id']}\t{row['name']}\t{origins}\t{row['threads']}")


@site.command("show")
@_site_id_argument
@click.option("--json", "as_json", is_flag=True, help="One JSON object, for scripts.")
@with_appcontext
def show(site_id: str, as_json: bool) -> None:
    """A site's name, origins and every setting it may have: its own value or the
    installation's."""
    try:
        found = registry.find_site(site_id)
    except registry.SiteNotFound as error:
        raise _refused(error) from None
    config = config_for(found.id)
    own = found.settings or {}
    keys = [spec.key for spec in SETTINGS if spec.of_site]
    if as_json:
        shown = {
            "id": found.id,
            "name": found.name,
            "origins": list(config["ALLOWED_ORIGINS"]),
            "threads": registry.thread_counts().get(found.id, 0),
            "settings": {key: {"value": config[key], "own": key in own} for key in keys},
        }
        click.echo(json.dumps(shown, indent=2, ensure_ascii=False))
        return
    click.echo(f"{_('Id')}: {found.id}")
    click.echo(f"{_('Name')}: {found.name}")
    click.echo(f"{_('Origins')}: {' '.join(config['ALLOWED_ORIGINS']) or '-'}")
    click.echo(f"{_('Threads')}: {registry.thread_counts().get(found.id, 0)}")
    for key in keys:
        whose = _("the site's own") if key in own else _("the installation's")
        click.echo(f"{key} = {_shown(config[key])}\t({whose})")


@site.command("set")
@_site_id_argument
@click.option("--name", default=None, help="A new name.")
@click.option(
    "--origin",
    "origins",
    multiple=True,
    metavar="ORIGIN",
    help="The site's origins (repeatable): replaces its list.",
)
@click.option("--add-origin", "added", multiple=True, metavar="ORIGIN", help="One more origin.")
@click.option(
    "--remove-origin", "removed", multiple=True, metavar="ORIGIN", help="An origin it loses."
)
@click.argument("assignments", nargs=-1, metavar="[KEY=VALUE]...")
@with_appcontext
def set_site(
    site_id: str,
    name: str | None,
    origins: tuple[str, ...],
    added: tuple[str, ...],
    removed: tuple[str, ...],
    assignments: tuple[str, ...],
) -> None:
    """Change a site's name, origins or settings (KEY=VALUE; KEY= takes the installation's
    value again)."""
    values = parse_assignments(assignments)
    try:
        found = registry.find_site(site_id)
        wanted = None
        if origins or added or removed:
            wanted = list(origins) if origins else [o.origin for o in found.origins]
            wanted += added
            for origin in removed:
                cleaned = web_origin(origin)
                if cleaned not in wanted:
                    raise click.BadParameter(
                        _(
                            "%(origin)s is not an origin of the site %(site)s.",
                            origin=origin,
                            site=site_id,
                        ),
                        param_hint="--remove-origin",
                    )
                wanted.remove(cleaned)
        registry.update_site(
            site_id, name=name, origins=wanted, settings=values, by=ACTOR, now=utcnow()
        )
    except (registry.SiteInvalid, registry.SiteNotFound) as error:
        raise _refused(error) from None
    db.session.commit()
    click.echo(_("The site %(site)s is changed.", site=site_id))


@site.command("remove")
@_site_id_argument
@click.option("--with-threads", is_flag=True, help="Remove its threads and comments too.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def remove(site_id: str, with_threads: bool, yes: bool) -> None:
    """Remove a site (never the default one); one with threads only with --with-threads."""
    try:
        threads = registry.check_removal(site_id, with_threads=with_threads)
    except (registry.SiteInvalid, registry.SiteNotFound) as error:
        raise _refused(error) from None
    if not yes:
        question = (
            _("Remove the site %(site)s and its %(count)s threads?", site=site_id, count=threads)
            if threads
            else _("Remove the site %(site)s?", site=site_id)
        )
        click.confirm(question, abort=True)
    try:
        gone = registry.remove_site(site_id, with_threads=with_threads, by=ACTOR, now=utcnow())
    except (registry.SiteInvalid, registry.SiteNotFound) as error:
        raise _refused(error) from None
    db.session.commit()
    click.echo(_("The site %(site)s is removed, with %(count)s threads.", site=site_id, count=gone))


COMMANDS = (site,)
