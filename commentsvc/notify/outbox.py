"""The outbox's delivery: the mails ``notify.mail.queue`` wrote, sent by ``send-mail``.

Writing to a table in the comment's own transaction means a mail exists exactly when the
comment does. Delivery leases each mail before sending (a conditional UPDATE that only one
worker can win), marks it sent right after, and backs off when the SMTP server is down.
"""

from __future__ import annotations

import secrets
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid

from flask import current_app
from sqlalchemy import or_, select, update

from commentsvc.extensions import db
from commentsvc.models.mail import OutboxMail

LEASE = timedelta(minutes=5)
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=1)
SMTP_POLICY = policy.SMTP.clone(max_line_length=998)


@dataclass
class Delivery:
    sent: int = 0
    failed: int = 0


def _claim(mail_id: int, worker: str, now: datetime) -> bool:
    """Lease one due mail for this worker; False when another worker has it or it is sent."""
    result = db.session.execute(
        update(OutboxMail)
        .where(
            OutboxMail.id == mail_id,
            OutboxMail.sent_at.is_(None),
            or_(OutboxMail.claimed_until.is_(None), OutboxMail.claimed_until < now),
        )
        .values(claimed_by=worker, claimed_until=now + LEASE)
    )
    db.session.commit()
    return result.rowcount == 1


def _message(mail: OutboxMail, now: datetime) -> EmailMessage:
    config = current_app.config
    # Lines up to RFC 5322's 998 characters: a long List-Unsubscribe address stays one plain
    # <https://…> that mail clients read, not split into encoded words.
    message = EmailMessage(policy=SMTP_POLICY)
    # Mails to readers (written with an HTML part) come from the site by its name; those to
    # moderators keep the bare address their filters know.
    sender = config["MAIL_FROM"]
    message["From"] = formataddr((config["SITE_NAME"], sender)) if mail.html else sender
    message["To"] = mail.recipient
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(now)
    # One stable id per outbox row: a receiving server can tell a resent copy.
    domain = config["MAIL_FROM"].rpartition("@")[2] or "commentsvc"
    message["Message-ID"] = make_msgid(idstring=f"outbox-{mail.id}", domain=domain)
    # Written by a program: out-of-office replies and vacation robots stay quiet (RFC 3834).
    message["Auto-Submitted"] = "auto-generated"
    if mail.list_unsubscribe:
        # RFC 2369 and 8058: the mail client's own "unsubscribe" button, one POST, no mailto.
        message["List-Unsubscribe"] = f"<{mail.list_unsubscribe}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(mail.body)
    if mail.html:
        message.add_alternative(mail.html, subtype="html")
    return message


def _send(messages: list[EmailMessage]) -> None:
    config = current_app.config
    with smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=30) as smtp:
        if config["SMTP_STARTTLS"]:
            smtp.starttls()
        if config["SMTP_USER"]:
            smtp.login(config["SMTP_USER"], config["SMTP_PASSWORD"] or "")
        for message in messages:
            smtp.send_message(message)


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, ... at most an hour between tries."""
    return min(FIRST_RETRY * 2 ** max(0, attempts - 1), LONGEST_RETRY)


def deliver_due(*, now: datetime, limit: int = 100) -> Delivery:
    """Send the mails that are due, one SMTP connection per mail, each at most once.

    Readers' notifications whose batch is due are written to the outbox first.
    """
    from commentsvc.notify.notifications import queue_due_notifications

    queue_due_notifications(now=now)
    worker = secrets.token_hex(8)
    due = db.session.execute(
        select(OutboxMail.id)
        .where(OutboxMail.sent_at.is_(None), OutboxMail.next_attempt_at <= now)
        .order_by(OutboxMail.id)
        .limit(limit)
    ).scalars()
    result = Delivery()
    for mail_id in list(due):
        if not _claim(mail_id, worker, now):
            continue
        mail = db.session.get(OutboxMail, mail_id)
        if mail is None:
            continue  # withdrawn (its comment was decided) after we leased it
        try:
            _send([_message(mail, now)])
        except (OSError, smtplib.SMTPException) as error:
            mail.attempts += 1
            mail.next_attempt_at = now + backoff(mail.attempts)
            mail.claimed_by = mail.claimed_until = None
            mail.last_error = f"{type(error).__name__}: {error}"[:1000]
            db.session.commit()
            # The mail's id, never its recipient: a log outlives an erasure (logs.py).
            current_app.logger.warning(
                "mail %s (%s) not sent (attempt %s): %s",
                mail.id,
                mail.kind or "mail",
                mail.attempts,
                error,
            )
            result.failed += 1
            # The server is down for this run: leave the rest for the next one.
            if isinstance(error, OSError):
                break
            continue
        mail.sent_at = now
        mail.attempts += 1
        mail.last_error = ""
        db.session.commit()
        result.sent += 1
    return result
