"""The outbox's delivery: the mails ``notify.mail.queue`` wrote, sent by ``send-mail``.

Writing to a table in the comment's own transaction means a mail exists exactly when the
comment does. Delivery leases each mail before sending (a conditional UPDATE that only one
worker can win), marks it sent right after, and backs off when the SMTP server is down.

One bad mail never stops the others: a mail that cannot be built, or that the receiving server
refuses for good (a 5xx answer, or a temporary refusal ``MAX_ATTEMPTS`` times), is set aside
with its error (``failed_at``, ``last_error``) and the run goes on with the next one. Admins
see the mails set aside (``set_aside``) and may send one again (``try_again``).
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
from sqlalchemy import func, or_, select, update

from commentsvc.extensions import db
from commentsvc.models.mail import OutboxMail
from commentsvc.notify.mail import from_site_by_name
from commentsvc.sanitize import plain_line
from commentsvc.sites import config_for

LEASE = timedelta(minutes=5)
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=1)
SMTP_POLICY = policy.SMTP.clone(max_line_length=998)
# Temporary refusals of one mail (4xx answers to it) before it is set aside: with the back-off
# about five hours of trying. A server that cannot be reached is not the mail's fault and is
# tried without end.
MAX_ATTEMPTS = 10


@dataclass
class Delivery:
    sent: int = 0
    failed: int = 0  # waits for a retry
    set_aside: int = 0  # will not be tried again


class UnsendableMail(ValueError):
    """The outbox row cannot become a mail (its recipient is not one plain address)."""


def _header(value: str) -> str:
    """A header value on one line: a line break in it (a name in a Subject) would end the
    header, and the email package refuses it rather than send it."""
    return plain_line(value).strip()


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
    # Each mail goes out as its own site's: its sender, name and reply address (a mail from
    # before sites, without one, is the default site's).
    config = config_for(mail.site_id)
    # Lines up to RFC 5322's 998 characters: a long List-Unsubscribe address stays one plain
    # <https://…> that mail clients read, not split into encoded words.
    message = EmailMessage(policy=SMTP_POLICY)
    sender = config["MAIL_FROM"]
    if from_site_by_name(mail.kind, mail.html):
        message["From"] = formataddr((_header(config["SITE_NAME"]), sender))
    else:
        message["From"] = sender
    if mail.recipient != _header(mail.recipient):
        # Never mended: a changed address is someone else's, or a header injected.
        raise UnsendableMail("the recipient address holds a line break or a control character")
    message["To"] = mail.recipient
    if config["MAIL_REPLY_TO"]:
        message["Reply-To"] = _header(config["MAIL_REPLY_TO"])
    message["Subject"] = _header(mail.subject)
    message["Date"] = format_datetime(now)
    # One stable id per outbox row: a receiving server can tell a resent copy.
    domain = config["MAIL_FROM"].rpartition("@")[2] or "commentsvc"
    message["Message-ID"] = make_msgid(idstring=f"outbox-{mail.id}", domain=domain)
    # Written by a program: out-of-office replies and vacation robots stay quiet (RFC 3834).
    message["Auto-Submitted"] = "auto-generated"
    if mail.list_unsubscribe:
        # RFC 2369 and 8058: the mail client's own "unsubscribe" button, one POST, no mailto.
        message["List-Unsubscribe"] = f"<{_header(mail.list_unsubscribe)}>"
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
        .where(
            OutboxMail.sent_at.is_(None),
            OutboxMail.failed_at.is_(None),
            OutboxMail.next_attempt_at <= now,
        )
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
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as error:
            # The server answered about this mail: for good (5xx), or for now (4xx).
            codes = _codes(error)
            if all(code >= 500 for code in codes) or mail.attempts + 1 >= MAX_ATTEMPTS:
                _set_aside(mail, error, now)
                result.set_aside += 1
            else:
                _try_later(mail, error, now)
                result.failed += 1
            continue
        except OSError as error:
            # The server is down, or refused the connection, the sender or the login: not this
            # mail's fault. Leave the rest for the next run.
            _try_later(mail, error, now)
            result.failed += 1
            break
        except Exception as error:  # whatever it is, it is this mail's alone
            # The row cannot become a mail (old data: a line break in the recipient, text the
            # email package refuses): set it aside, so the mails after it still go.
            _set_aside(mail, error, now)
            result.set_aside += 1
            continue
        mail.sent_at = now
        mail.attempts += 1
        mail.last_error = ""
        db.session.commit()
        result.sent += 1
    return result


def _codes(error: smtplib.SMTPException) -> list[int]:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return [code for code, _message in error.recipients.values()] or [550]
    return [getattr(error, "smtp_code", 550)]


def _describe(error: BaseException) -> str:
    """The error as an admin reads it: the server's own answer where it gave one."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        answers = [_answer(code, text) for code, text in error.recipients.values()]
        return f"{type(error).__name__}: {'; '.join(answers)}"[:1000]
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{type(error).__name__}: {_answer(error.smtp_code, error.smtp_error)}"[:1000]
    return f"{type(error).__name__}: {error}"[:1000]


def _answer(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    return f"{code} {text}"


def _try_later(mail: OutboxMail, error: BaseException, now: datetime) -> None:
    mail.attempts += 1
    mail.next_attempt_at = now + backoff(mail.attempts)
    mail.claimed_by = mail.claimed_until = None
    mail.last_error = _describe(error)
    db.session.commit()
    # The mail's id, never its recipient: a log outlives an erasure (logs.py).
    current_app.logger.warning(
        "mail %s (%s) not sent (attempt %s): %s",
        mail.id,
        mail.kind or "mail",
        mail.attempts,
        error,
    )


def _set_aside(mail: OutboxMail, error: BaseException, now: datetime) -> None:
    db.session.rollback()  # whatever building the message left half done
    mail = db.session.get(OutboxMail, mail.id)
    mail.attempts += 1
    mail.failed_at = now
    mail.claimed_by = mail.claimed_until = None
    mail.last_error = _describe(error)
    db.session.commit()
    # The error only: it may quote the row's bad recipient.
    current_app.logger.error("mail %s set aside: %s", mail.id, type(error).__name__)


# --- what admins see and do ---------------------------------------------------------------------
def set_aside(limit: int = 100) -> list[OutboxMail]:
    """The mails set aside, newest first."""
    return list(
        db.session.execute(
            select(OutboxMail)
            .where(OutboxMail.failed_at.is_not(None))
            .order_by(OutboxMail.failed_at.desc(), OutboxMail.id.desc())
            .limit(limit)
        ).scalars()
    )


def count_set_aside() -> int:
    return db.session.execute(
        select(func.count()).select_from(OutboxMail).where(OutboxMail.failed_at.is_not(None))
    ).scalar_one()


def try_again(mail_id: int, *, now: datetime) -> bool:
    """Put a mail set aside back in line for the next run (its cause was mended); False when
    there is no such mail set aside. The caller commits."""
    mail = db.session.get(OutboxMail, mail_id)
    if mail is None or mail.failed_at is None or mail.sent_at is not None:
        return False
    mail.failed_at = None
    mail.attempts = 0
    mail.next_attempt_at = now
    return True
