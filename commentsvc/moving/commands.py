"""Commands for moving in and for personal data: imports, export/restore, GDPR, purge."""

from __future__ import annotations

import json
import sys

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.exc import SQLAlchemyError

from commentsvc.errors import DomainError
from commentsvc.extensions import db
from commentsvc.models.base import utcnow
from commentsvc.sites import use_site
from commentsvc.sites.options import site_option


def _progress(message: str) -> None:
    click.echo(message, err=True)


def _fail(error: DomainError) -> click.ClickException:
    return click.ClickException(str(error.message))


DRY_RUN = click.option(
    "--dry-run", is_flag=True, help="Report what would be imported; write nothing."
)
# Which pages of the old system get a thread (moving.pages): those on this service's sites.
HOSTS = click.option(
    "--host",
    "hosts",
    multiple=True,
    help="Also take the pages of this host (an old address of the site); repeatable. "
    "Pages on the hosts of the site's origins and PUBLIC_URL are always taken.",
)
# The site whose threads the comments join: its keys, its origins, its own mappings (the same
# file imported into two sites is two copies; into one site twice, one).
SITE = site_option("The site whose threads the comments join (default: default).")


def _run_import(do_import, label: str | None = None, *, site: str) -> None:
    """Run an importer on ``site``, print its summary, and turn its failures into clear
    command errors.

    With a ``label``, ``do_import(bar)`` is given a ``core.ProgressBar`` (drawn on a terminal
    only) to start and advance; without one, ``do_import()`` is called as it is.
    """
    from commentsvc.moving.core import ProgressBar

    try:
        with use_site(site), ProgressBar(label or "") as bar:
            summary = do_import(bar) if label else do_import()
    except DomainError as error:
        raise _fail(error) from error
    except SQLAlchemyError as error:
        raise _interrupted(error) from error
    for line in summary.lines():
        click.echo(line)


def _interrupted(error: Exception) -> click.ClickException:
    """A database error during an import: the current article was rolled back, others kept."""
    return click.ClickException(
        _(
            "The import stopped on a database error (%(error)s). Every article imported before "
            "it is complete, the one in progress was rolled back; run the same command again "
            "to continue.",
            error=str(getattr(error, "orig", None) or error).strip().splitlines()[0],
        )
    )


@click.command("import-wordpress")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--key",
    type=click.Choice(["slug", "id", "path"]),
    default="slug",
    show_default=True,
    help="What becomes the article key: the post's slug, its id, or its permalink's path.",
)
@click.option("--keep-pings", is_flag=True, help="Import pingbacks and trackbacks too.")
@DRY_RUN
@with_appcontext
@SITE
def import_wordpress(file: str, key: str, keep_pings: bool, dry_run: bool, site: str) -> None:
    """Import the comments of a WordPress export (Tools → Export) into their threads."""
    from commentsvc.moving import wordpress

    _run_import(
        lambda bar: wordpress.import_file(
            file,
            key=key,
            keep_pings=keep_pings,
            now=utcnow(),
            progress=_progress,
            dry_run=dry_run,
            bar=bar,
        ),
        _("Comments"),
        site=site,
    )


@click.command("import-disqus")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--key",
    type=click.Choice(["path", "identifier", "link"]),
    default="path",
    show_default=True,
    help="What becomes the article key: the thread link's path, its Disqus identifier "
    "(the path when it has none), or the whole link.",
)
@DRY_RUN
@with_appcontext
@SITE
def import_disqus(file: str, key: str, dry_run: bool, site: str) -> None:
    """Import the comments of a Disqus export into their threads."""
    from commentsvc.moving import disqus  # loaded when used: not in every worker

    _run_import(
        lambda bar: disqus.import_file(
            file, key=key, now=utcnow(), progress=_progress, dry_run=dry_run, bar=bar
        ),
        _("Comments"),
        site=site,
    )


@click.command("export")
@click.option(
    "--format",
    "form",
    type=click.Choice(["json", "jsonl"]),
    default="json",
    show_default=True,
    help="One JSON document, or JSON Lines (a header line, then one row a line).",
)
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="File.")
@click.option("--with-secrets", is_flag=True, help="Include password hashes and tokens.")
@with_appcontext
def export(form: str, output: str | None, with_secrets: bool) -> None:
    """Write every article, comment and other table to JSON (standard output by default).

    The export holds personal data (emails, anonymized IPs): keep it as safe as the database.
    """
    from commentsvc.moving import backup

    if output:
        with open(output, "w", encoding="utf-8") as out:
            head = backup.write_export(out, lines=form == "jsonl", with_secrets=with_secrets)
    else:
        head = backup.write_export(sys.stdout, lines=form == "jsonl", with_secrets=with_secrets)
    counts = ", ".join(f"{name} {count}" for name, count in head["counts"].items())
    click.echo(_("Exported: %(counts)s.", counts=counts), err=True)


@click.command("import-json")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@with_appcontext
def import_json(file: str) -> None:
    """Restore an export (JSON or JSON Lines) into an empty database, ids and times included."""
    from commentsvc.moving import backup

    try:
        with click.open_file(file, encoding="utf-8") as stream:
            head, counts = backup.restore(stream)
    except DomainError as error:
        raise _fail(error) from error
    except SQLAlchemyError as error:
        raise click.ClickException(
            _(
                "The export could not be restored: %(error)s. Nothing was restored.",
                error=str(error.orig if hasattr(error, "orig") else error).strip(),
            )
        ) from error
    except UnicodeDecodeError as error:
        raise click.ClickException(
            _("The file is not a commentsvc export. Nothing was restored.")
        ) from error
    click.echo(_("Restored: %(counts)s.", counts=", ".join(f"{n} {c}" for n, c in counts.items())))
    if not head.get("with_secrets") and backup.has_secret_columns():
        click.echo(
            _(
                "The export had no password hashes (made without --with-secrets): "
                "moderators must be given new passwords."
            )
        )


@click.command("privacy-export")
@click.argument("email")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="File.")
@with_appcontext
@site_option(
    "Only this site's part (a site admin's view); without it, every site's.", every_site=True
)
def privacy_export(email: str, output: str | None, site: str | None) -> None:
    """Everything stored about EMAIL on every site, as JSON (a data subject's access request)."""
    from commentsvc.gdpr import rights  # loaded when used: not in every worker

    sites = None if site is None else {site}
    try:
        document = rights.personal_data(email, now=utcnow(), by="cli", sites=sites)
    except DomainError as error:
        raise _fail(error) from error
    db.session.commit()
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    if output:
        with open(output, "w", encoding="utf-8") as out:
            out.write(text)
    else:
        click.echo(text, nl=False)
    if not rights.has_data(document):
        click.echo(_("Nothing is stored about this email address."), err=True)


@click.command("privacy-erase")
@click.argument("email")
@click.option(
    "--delete",
    is_flag=True,
    help="Remove the texts too; answered comments stay as empty placeholders.",
)
@with_appcontext
def privacy_erase(email: str, delete: bool) -> None:
    """Anonymize every comment by EMAIL (a data subject's erasure request)."""
    from commentsvc.gdpr import rights  # loaded when used: not in every worker

    try:
        result = rights.erase(email, delete=delete, now=utcnow(), by="cli")
    except DomainError as error:
        db.session.rollback()
        raise _fail(error) from error
    db.session.commit()
    if not result.found:
        click.echo(_("Nothing is stored about this email address; nothing was changed."))
        return
    click.echo(rights.describe_erasure(result.anonymized, result.deleted, result.other))


@click.command("purge")
@with_appcontext
def purge() -> None:
    """Apply IP_RETENTION_DAYS, PURGE_AFTER_DAYS and OUTBOX_RETENTION_DAYS (safe from cron)."""
    from commentsvc.gdpr.retention import purge as apply_retention
    from commentsvc.models.threads import CommentStatus

    result = apply_retention(now=utcnow())
    spam, trash = result.deleted[CommentStatus.SPAM], result.deleted[CommentStatus.TRASH]
    db.session.commit()
    click.echo(
        _(
            "Purged: %(ips)s; %(comments)s (spam %(spam)d, trash %(trash)d).",
            ips=ngettext(
                "%(num)d stored IP address cleared",
                "%(num)d stored IP addresses cleared",
                result.ips_cleared,
            ),
            comments=ngettext(
                "%(num)d comment deleted",
                "%(num)d comments deleted",
                sum(result.deleted.values()),  # removed placeholders freed by them too
            ),
            spam=spam,
            trash=trash,
        )
    )
    if result.mails_deleted:
        click.echo(
            ngettext(
                "Deleted %(num)d sent mail.", "Deleted %(num)d sent mails.", result.mails_deleted
            )
        )
    if result.links_deleted:
        click.echo(
            ngettext(
                "Deleted %(num)d link that no longer works.",
                "Deleted %(num)d links that no longer work.",
                result.links_deleted,
            )
        )
    if result.reports_cleared:
        click.echo(
            ngettext(
                "Cleared the personal data of %(num)d decided report; its counts stay.",
                "Cleared the personal data of %(num)d decided reports; their counts stay.",
                result.reports_cleared,
            )
        )
    if result.kept_with_replies:
        click.echo(
            ngettext(
                "Kept %(num)d old spam or trash comment that others have answered.",
                "Kept %(num)d old spam or trash comments that others have answered.",
                result.kept_with_replies,
            )
        )


COMMANDS = [
    import_wordpress,
    import_disqus,
    export,
    import_json,
    privacy_export,
    privacy_erase,
    purge,
]
