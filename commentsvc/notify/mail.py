"""Every mail the service sends, written one way: a template pair, rendered in the reader's
language, queued in the outbox by ``queue``.

A mail called ``name`` is ``templates/mail/<name>.subject.txt`` (the subject line) and
``mail/<name>.txt`` (the text body), and ``mail/<name>.html`` beside them for the mails that
have an HTML part (``MAILS`` says which). The templates get the values the caller passes and
are rendered under ``force_locale``, so a label or a count the template asks for comes out in
the reader's language, whatever the language of the request that caused the mail. Links in
the context come from ``weburls.public_url`` (the one ``PUBLIC_URL`` rule), never from the
request's Host.

The outbox row is written in the caller's transaction: a mail exists exactly when what it
tells about does; ``outbox.deliver_due`` sends it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import render_template
from flask_babel import force_locale

from commentsvc.extensions import db
from commentsvc.models.mail import OutboxMail

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
}


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str
    html: str = ""


def render(template: str, *, language: str, **context) -> Rendered:
    """The mail ``template`` in ``language`` (``sv``, ``en``): subject, text and HTML part."""
    if template not in MAILS:
        raise KeyError(f"no mail called {template!r} in templates/mail")
    with force_locale(language):
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
    language: str,
    now: datetime,
    comment_id: int | None = None,
    about_address: str = "",
    list_unsubscribe: str = "",
    **context,
) -> OutboxMail:
    """Render the mail ``template`` for ``to`` in ``language`` and add it to the outbox, due
    now; the caller commits. ``comment_id``: the comment whose withdrawal takes the unsent
    mail back; ``about_address``: the person it quotes (found by an export or an erasure);
    ``list_unsubscribe``: the address that stops such mails (RFC 8058)."""
    rendered = render(template, language=language, **context)
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
    )
    db.session.add(mail)
    return mail
