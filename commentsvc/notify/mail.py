"""Every mail the service sends, written one way: a template pair, rendered in the reader's
language, queued in the outbox by ``queue``.

A mail called ``name`` is ``templates/mail/<name>.subject.txt`` (the subject line) and
``mail/<name>.txt`` (the text body), and ``mail/<name>.html`` beside them for the mails that
have an HTML part (``MAILS`` says which). The templates get the values the caller passes and
are rendered under ``force_locale``, so a label or a count the template asks for comes out in
the reader's language, whatever the language of the request that caused the mail. Links in
the context come from ``weburls.public_url`` (the one ``PUBLIC_URL`` rule), never from the
request's Host.

Every mail is a site's (the site of the comment, article or report it is about): rendered as
that site (``use_site``: its name as ``site``, its configuration for whatever a template asks),
in the reader's language or else the site's, and sent from the site's sender
(``outbox._message`` reads ``OutboxMail.site_id``).

The outbox row is written in the caller's transaction: a mail exists exactly when what it
tells about does; ``outbox.deliver_due`` sends it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import render_template
from flask_babel import force_locale

# A moment as a mail of a site shows it: in the site's TIMEZONE, named (2026-03-02 10:30 CET).
from commentsvc.dates import local_time as local_time
from commentsvc.extensions import db
from commentsvc.models.mail import OutboxMail
from commentsvc.models.sites import DEFAULT_SITE
from commentsvc.sites import config_for, use_site

#: Each mail the service can send, and whether it has an HTML part. Readers' mails that a
#: reader asked for (confirmation, notifications) have one, and come from the site by name
#: (``outbox._message``); moderators' mails and the mails of notice and action are text.
MAILS = {
    "comment_held": False,  # to the moderators who asked: a comment waits for review
    "confirm": True,  # to a reader who asked for notifications: confirm the address
    "notification": True,  # to a confirmed subscriber: new comments on an article
    "report_received": False,  # to a notifier: the receipt of their report
    "report_decided": False,  # to a notifier: the comment was kept or removed
    "statement": False,  # to the author of a removed comment: the statement of reasons
    "ban_statement": False,  # to a person banned by address: the statement of reasons
}


# Mails to moderators come from the bare sender address their filters know; every other mail
# is a reader's and comes from the site by its name (outbox._message).
TO_MODERATORS = frozenset({"comment_held"})


def from_site_by_name(kind: str, html: str) -> bool:
    """Does a mail of this kind go out with the site's name beside its sender address?"""
    return bool(html) or (bool(kind) and kind not in TO_MODERATORS)


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str
    html: str = ""


def site_language(site_id: str | None, chosen: str | None = None) -> str:
    """The language of a mail of ``site_id``: the one its reader chose, else the site's."""
    from commentsvc.setting_specs import LANGUAGES

    return chosen if chosen in LANGUAGES else config_for(site_id)["LANGUAGE"]


def render(template: str, *, language: str | None, site_id: str | None, **context) -> Rendered:
    """The mail ``template`` of ``site_id`` in ``language`` (``sv``, ``en``; None: the site's):
    subject, text and HTML part. The templates get the site's name as ``site``."""
    if template not in MAILS:
        raise KeyError(f"no mail called {template!r} in templates/mail")
    site_id = site_id or DEFAULT_SITE
    config = config_for(site_id)
    context.setdefault("site", config["SITE_NAME"])
    with use_site(site_id), force_locale(site_language(site_id, language)):
        subject = render_template(f"mail/{template}.subject.txt", **context).strip()
        body = render_template(f"mail/{template}.txt", **context)
        html = (
            render_template(f"mail/{template}.html", subject=subject, **context)
            if MAILS[template]
            else ""
        )
    return Rendered(subject, body, html)


def queue(
    template: str,
    *,
    to: str,
    language: str | None,
    site_id: str | None,
    now: datetime,
    comment_id: int | None = None,
    about_address: str = "",
    list_unsubscribe: str = "",
    **context,
) -> OutboxMail:
    """Render the mail ``template`` of ``site_id`` for ``to`` in ``language`` (None: the
    site's) and add it to the outbox, due now; the caller commits. ``comment_id``: the
    comment whose withdrawal takes the unsent mail back; ``about_address``: the person it
    quotes (found by an export or an erasure); ``list_unsubscribe``: the address that stops
    such mails (RFC 8058)."""
    rendered = render(template, language=language, site_id=site_id, **context)
    mail = OutboxMail.due_now(
        to,
        rendered.subject,
        rendered.body,
        now=now,
        kind=template,
        html=rendered.html,
        comment_id=comment_id,
        about_address=about_address,
        list_unsubscribe=list_unsubscribe,
        site_id=site_id or DEFAULT_SITE,
    )
    db.session.add(mail)
    return mail
