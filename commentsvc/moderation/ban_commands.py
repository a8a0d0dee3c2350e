"""``commentsvc ban``, ``unban`` and ``bans``: the desk's bans from the command line.

Each command is one action through ``moderation.bans``: it commits once, or refuses with a
message naming the part of the command line to correct (exit code 2) and leaves nothing
changed. Bans made here are audited by "cli", as the other commands' decisions are.
"""

from __future__ import annotations

import json
from typing import Any

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _

from commentsvc.dates import site_time
from commentsvc.extensions import db
from commentsvc.models.base import utcnow
from commentsvc.models.people import Ban
from commentsvc.models.reports import ReportReason
from commentsvc.moderation import bans as ban_rules
from commentsvc.sites.config import config_for
from commentsvc.sites.options import site_option

ACTOR = "cli"
HINTS = {
    "target": "ADDRESS-OR-NETWORK",
    "days": "--days",
    "reason": "--reason",
    "note": "--note",
    "q": "ADDRESS-OR-NETWORK",
}


def _refused(error: ban_rules.BanInvalid) -> click.ClickException:
    db.session.rollback()
    if error.field in HINTS:
        return click.BadParameter(str(error.message), param_hint=HINTS[error.field])
    return click.ClickException(str(error.message))


def _when(moment, site_id: str) -> str:
    return site_time(moment, config_for(site_id)["TIMEZONE"])


@click.command("ban")
@with_appcontext
@click.argument("target", metavar="ADDRESS-OR-NETWORK")
@click.option("--days", default=None, metavar="N", help="How long (default: until lifted).")
@click.option(
    "--reason",
    default=ReportReason.OTHER.value,
    metavar="CODE",
    help="Why, as decisions say it: " + ", ".join(r.value for r in ReportReason) + ".",
)
@click.option("--note", default="", help="The ground in words (a ban by address mails it).")
@site_option("The site the ban is on (default: default).")
def ban(target: str, days: str | None, reason: str, note: str, site: str) -> None:
    """Ban an email address or a network (CIDR) from commenting on a site."""
    now = utcnow()
    try:
        made = ban_rules.add_ban(
            site, target, days=days, reason=reason, note=note, by=ACTOR, now=now
        )
    except ban_rules.BanInvalid as error:
        raise _refused(error) from None
    db.session.commit()
    until = _when(made.expires_at, site) if made.expires_at else _("until the ban is lifted")
    click.echo(
        _(
            "Ban %(id)s: %(target)s may not comment on the site %(site)s, %(until)s.",
            id=made.id,
            target=made.address or made.network,
            site=site,
            until=until,
        )
    )
    if made.address:
        click.echo(_("A statement of reasons to the address waits in the outbox (send-mail)."))


@click.command("unban")
@with_appcontext
@click.argument("target", metavar="ADDRESS-OR-NETWORK")
@site_option("The site the ban is on (default: default).")
def unban(target: str, site: str) -> None:
    """Lift the bans in force on exactly this address or network."""
    try:
        lifted = ban_rules.lift_bans_on(site, target, by=ACTOR, now=utcnow())
    except ban_rules.BanInvalid as error:
        raise _refused(error) from None
    if not lifted:
        raise click.ClickException(
            _("No ban is in force on %(target)s on the site %(site)s.", target=target, site=site)
        )
    db.session.commit()
    for row in lifted:
        click.echo(
            _("Ban %(id)s on %(target)s is lifted.", id=row.id, target=row.address or row.network)
        )


def _state(row: Ban, now) -> str:
    if row.lifted_at is not None:
        return "lifted"
    return "active" if ban_rules.is_active(row, now) else "ended"


def _as_dict(row: Ban, now) -> dict[str, Any]:
    def iso(moment):
        return moment.isoformat() if moment else None

    return {
        "id": row.id,
        "site": row.site_id,
        "address": row.address,
        "network": row.network,
        "reason": row.reason,
        "note": row.note,
        "comment_id": row.comment_id,
        "created_by": row.created_by,
        "created_at": iso(row.created_at),
        "expires_at": iso(row.expires_at),
        "lifted_by": row.lifted_by,
        "lifted_at": iso(row.lifted_at),
        "state": _state(row, now),
    }


@click.command("bans")
@with_appcontext
@site_option("Only the bans of this site (default: every site).", every_site=True)
@click.option("--all", "everything", is_flag=True, help="Also the lifted and ended bans.")
@click.option("--json", "as_json", is_flag=True, help="As JSON (times in UTC).")
def bans(site: str | None, everything: bool, as_json: bool) -> None:
    """List the bans in force (with --all, every ban), newest first."""
    now = utcnow()
    found = ban_rules.list_bans(
        now=now, sites=None if site is None else [site], everything=everything, limit=100000
    )
    if as_json:
        click.echo(json.dumps([_as_dict(b, now) for b in found], indent=2, ensure_ascii=False))
        return
    if not found:
        click.echo(_("No bans."))
        return
    for row in found:
        until = _when(row.expires_at, row.site_id) if row.expires_at else _("until lifted")
        click.echo(
            f"{row.id}\t{row.site_id}\t{row.address or row.network}\t{row.reason}\t"
            f"{_state(row, now)}\t{_when(row.created_at, row.site_id)}\t{until}\t{row.created_by}"
        )


COMMANDS = (ban, unban, bans)
