"""Commands for a moderator locked out of the desk: ``unlock-moderator`` clears the failed
logins, ``reset-second-factor`` takes a lost second factor (the way back in for the
installation's admin, who has no admin above them)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _

from commentsvc.errors import DomainError
from commentsvc.extensions import db
from commentsvc.models.base import utcnow
from commentsvc.moderation import accounts, secondfactor


@click.command("unlock-moderator")
@click.argument("username")
@with_appcontext
def unlock_moderator(username: str) -> None:
    """Clear a moderator's failed logins (and those of the addresses they came from)."""
    try:
        moderator = accounts.find_by_name(username)
        accounts.unlock(moderator.id, by=None, now=utcnow())
    except DomainError as error:
        raise click.ClickException(str(error.message)) from error
    db.session.commit()
    click.echo(_("The failed logins of %(name)s are cleared.", name=moderator.username))


@click.command("reset-second-factor")
@click.argument("username")
@with_appcontext
def reset_second_factor(username: str) -> None:
    """Turn off a moderator's second factor (a lost phone); their sessions end."""
    try:
        moderator = accounts.find_by_name(username)
        secondfactor.reset(moderator.id, by=None, now=utcnow())
    except DomainError as error:
        raise click.ClickException(str(error.message)) from error
    db.session.commit()
    click.echo(
        _(
            "The second factor of %(name)s is off; their sessions have ended.",
            name=moderator.username,
        )
    )


COMMANDS = (unlock_moderator, reset_second_factor)
