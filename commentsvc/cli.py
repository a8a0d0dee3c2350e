"""The ``flask --app commentsvc`` commands (and the ``commentsvc`` console script)."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import with_appcontext
from flask_babel import gettext as _

from commentsvc import moderation, threads
from commentsvc.dates import local_time
from commentsvc.errors import DomainError, InvalidRequest
from commentsvc.extensions import db
from commentsvc.forms.comment import ARTICLE_KEY
from commentsvc.models.base import utcnow
from commentsvc.sites.options import site_option


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create or upgrade the database schema through the migrations."""
    from flask_migrate import upgrade  # with Alembic, only for the commands that need it

    upgrade()
    click.echo("The database schema is up to date.")


@click.command("create-article")
@with_appcontext
@click.argument("key")
@click.option(
    "--title",
    default=None,
    help="The article's title, shown above its comments (kept when left out; a new article "
    "without one is titled by its key).",
)
@click.option(
    "--url", default=None, help="The article's address on the host site (kept when left out)."
)
@click.option(
    "--closed/--open",
    default=None,
    help="Show the comments but take no new ones, or take them again (kept when left out).",
)
@site_option("The site the article is on (default: default).")
def create_article(
    key: str, title: str | None, url: str | None, closed: bool | None, site: str
) -> None:
    """Register an article (a thread) ahead of its first reader, or change the fields given of
    one registered before (the others stay as they are)."""
    if not ARTICLE_KEY.fullmatch(key):
        raise click.BadParameter(
            "1–200 characters, no spaces or control characters", param_hint="KEY"
        )
    try:
        article = threads.create_article(key, title=title, url=url, closed=closed, site=site)
    except InvalidRequest as error:
        raise click.BadParameter(str(error.message), param_hint="--url") from error
    db.session.commit()
    click.echo(
        f"Article {article.key!r} ({article.title}) of site {site} is ready, id {article.id}."
    )


@click.command("approve")
@with_appcontext
@click.argument("comment_id", type=int)
def approve(comment_id: int) -> None:
    """Publish a pending comment."""
    try:
        comment = moderation.approve(comment_id, by="cli", now=utcnow())
    except DomainError as error:
        raise click.ClickException(str(error.message)) from error
    db.session.commit()
    click.echo(f"Comment {comment.id} by {comment.author} is published.")


@click.command("create-moderator")
@click.argument("username")
@click.option("--admin", is_flag=True, help="May manage moderators and the settings.")
@click.option("--email", default="", help="Where mail about held comments goes.")
@click.option("--name", "display_name", default="", help="The name shown on staff replies.")
@click.option("--notify", is_flag=True, help="Mail this moderator when a comment is held.")
@click.option(
    "--site",
    "sites",
    multiple=True,
    metavar="ID",
    help="A site the account works on, as admin with --admin (repeatable); without: every site.",
)
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of standard input (for scripts).",
)
@with_appcontext
def create_moderator(
    username: str,
    admin: bool,
    email: str,
    display_name: str,
    notify: bool,
    sites: tuple[str, ...],
    password_stdin: bool,
) -> None:
    """Add a moderator account (asks for the password twice)."""
    from commentsvc.moderation import accounts
    from commentsvc.sites.registry import SiteNotFound, find_site

    for site in sites:
        # Checked before the password is asked for: a typo costs no typing.
        try:
            find_site(site)
        except SiteNotFound as error:
            raise click.BadParameter(str(error.message), param_hint="--site") from None

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        moderator = accounts.create_moderator(
            username,
            password,
            role="admin" if admin else "moderator",
            sites=sites,
            email=email,
            notify=notify,
            display_name=display_name,
        )
    except DomainError as error:
        raise click.ClickException(str(error.message)) from error
    db.session.commit()
    if sites:
        role = "admin" if admin else "moderator"
        on = ", ".join(sorted(set(sites)))
        click.echo(f"Moderator {moderator.username!r} ({role} of {on}) is ready.")
    else:
        click.echo(f"Moderator {moderator.username!r} ({moderator.role.value}) is ready.")


@click.command("set-password")
@click.argument("username")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of standard input (for scripts).",
)
@with_appcontext
def set_password(username: str, password_stdin: bool) -> None:
    """Set a moderator's password (asks twice); every session of the account ends.

    The way back in after import-json of an export made without --with-secrets.
    """
    from commentsvc.moderation import accounts

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        moderator = accounts.find_by_name(username)
        accounts.set_password(moderator, password, by="cli", now=utcnow())
    except DomainError as error:
        raise click.ClickException(str(error.message)) from error
    db.session.commit()
    click.echo(
        _("The password of %(name)s is set; its sessions have ended.", name=moderator.username)
    )


@click.command("send-mail")
@click.option("--watch", is_flag=True, help="Keep running, looking for mail every --interval.")
@click.option("--interval", default=30, show_default=True, help="Seconds between runs.")
@with_appcontext
def send_mail(watch: bool, interval: int) -> None:
    """Deliver the mails waiting in the outbox (retries later when the server is down)."""
    import time

    from commentsvc.notify.outbox import deliver_due

    while True:
        result = deliver_due(now=utcnow())
        if result.sent or result.failed or result.set_aside or not watch:
            click.echo(f"Sent {result.sent} mail(s); {result.failed} failed and wait for a retry.")
        if result.set_aside:
            click.echo(
                f"{result.set_aside} mail(s) cannot be sent and are set aside: "
                "see `commentsvc mail-failures`.",
                err=True,
            )
        if not watch:
            if result.failed or result.set_aside:
                raise SystemExit(1)
            return
        time.sleep(interval)


@click.command("mail-failures")
@click.option("--retry", "retry", type=int, help="Put the mail with this id back in line.")
@with_appcontext
def mail_failures(retry: int | None) -> None:
    """The mails send-mail set aside (they could not be sent), each with its error."""
    from commentsvc.notify import outbox

    if retry is not None:
        if not outbox.try_again(retry, now=utcnow()):
            raise click.ClickException(f"No mail {retry} is set aside.")
        db.session.commit()
        click.echo(f"Mail {retry} is sent with the next send-mail run.")
        return
    mails = outbox.set_aside()
    if not mails:
        click.echo("No mail is set aside.")
    for mail in mails:
        # In the zone of the mail's site, named, as the desk's page of mails not sent.
        failed = local_time(mail.failed_at, mail.site_id)
        click.echo(f"{mail.id}\t{failed}\t{mail.recipient!r}")
        click.echo(f"\tSubject: {mail.subject!r}")
        click.echo(f"\tError: {mail.last_error}")


@click.command("transparency-report")
@click.option("--since", help="Count from this day on (YYYY-MM-DD); default: from the start.")
@click.option("--until", help="Count up to and including this day (YYYY-MM-DD); default: now.")
@click.option(
    "--format",
    "form",
    type=click.Choice(["md", "json", "csv"]),
    default="md",
    show_default=True,
    help="Markdown for people, JSON for scripts, CSV for spreadsheets.",
)
@with_appcontext
@site_option(
    "Only this site's figures; without it, the installation's with each site's beside.",
    every_site=True,
)
def transparency_report(since: str | None, until: str | None, form: str, site: str | None) -> None:
    """Reports received by reason, actions taken, median time to decision, comments held, and
    comments received by status: for one site, or for the installation and each site."""
    import json

    from commentsvc import reports

    try:
        start = reports.parse_since(since, site) if since else None
    except DomainError as error:
        raise click.BadParameter(str(error.message), param_hint="--since") from error
    try:
        end = reports.parse_until(until, start, site) if until else None
    except DomainError as error:
        raise click.BadParameter(str(error.message), param_hint="--until") from error
    figures = reports.transparency(since=start, until=end, now=utcnow(), site=site)
    if form == "json":
        click.echo(json.dumps(figures.as_dict(), indent=2, ensure_ascii=False))
    elif form == "csv":
        click.echo(reports.transparency_csv(figures), nl=False)
    else:
        click.echo(reports.transparency_markdown(figures), nl=False)


def register_commands(app: Flask) -> None:
    for command in (
        init_db,
        create_article,
        approve,
        create_moderator,
        set_password,
        send_mail,
        mail_failures,
        transparency_report,
    ):
        app.cli.add_command(command)
    from commentsvc.demo import seed_demo

    app.cli.add_command(seed_demo)
    from commentsvc.moving.commands import COMMANDS as DATA_COMMANDS
    from commentsvc.moving.commands_json import COMMANDS as JSON_COMMANDS

    for command in (*DATA_COMMANDS, *JSON_COMMANDS):
        app.cli.add_command(command)
    from commentsvc.moving.commands_wxr import export_wordpress

    app.cli.add_command(export_wordpress)
    from commentsvc.moving.commands_isso import import_isso

    app.cli.add_command(import_isso)
    from commentsvc.moderation.commands import COMMANDS as ACCOUNT_COMMANDS

    for command in ACCOUNT_COMMANDS:
        app.cli.add_command(command)
    from commentsvc.moderation.article_commands import COMMANDS as ARTICLE_COMMANDS

    for command in ARTICLE_COMMANDS:
        app.cli.add_command(command)
    from commentsvc.moderation.ban_commands import COMMANDS as BAN_COMMANDS

    for command in BAN_COMMANDS:
        app.cli.add_command(command)
    from commentsvc.sites.commands import COMMANDS as SITE_COMMANDS

    for command in SITE_COMMANDS:
        app.cli.add_command(command)
