"""What follows each step of a comment's life (``commentsvc.lifecycle``): mail to moderators,
notifications to subscribers, the mails of notice and action, and taking back what is no
longer true.

The one place that decides which mails a change of a comment causes. Every receiver works in
the sender's transaction and flushes nothing it does not need to.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete

from commentsvc import lifecycle
from commentsvc.extensions import db
from commentsvc.models.mail import OutboxMail, SubscriptionKind
from commentsvc.models.people import Ban
from commentsvc.models.reports import Report, StatementOfReasons
from commentsvc.models.threads import Comment, CommentStatus
from commentsvc.notify import notices, notifications, subscriptions
from commentsvc.notify.moderators import queue_moderator_mail


def tell_moderators(comment: Comment, *, now: datetime) -> None:
    db.session.flush()
    queue_moderator_mail(comment, now=now)


def tell_subscribers(comment: Comment, *, now: datetime) -> None:
    db.session.flush()
    notifications.comment_published(comment, now=now)


def stop_quoting(comment_id: int) -> None:
    notifications.withdraw_mails_quoting([comment_id])


def withdraw_mail(comment_id: int) -> None:
    """Take back the unsent "waiting for review" mails about the comment (a moderator must not
    be called to a comment that no longer waits) and the readers' notifications quoting it.
    Readers' confirmation mails carry no comment, so they stay."""
    db.session.execute(
        delete(OutboxMail)
        .where(OutboxMail.comment_id == comment_id, OutboxMail.sent_at.is_(None))
        .execution_options(synchronize_session=False)
    )
    notifications.withdraw_mails_quoting([comment_id])


def quote_the_new_text(comment: Comment) -> None:
    if comment.status == CommentStatus.APPROVED:
        notifications.withdraw_mails_quoting([comment.id])


def sign_up(comment: Comment, *, kind: SubscriptionKind, language: str, now: datetime) -> None:
    subscriptions.subscribe(comment, kind, language=language, now=now)


def acknowledge_report(
    report: Report, *, comment: Comment, confirm_token: str = "", now: datetime
) -> None:
    notices.acknowledge(report, comment, now, confirm_token)


def tell_of_decision(
    comment: Comment,
    *,
    reports: list[Report],
    statement: StatementOfReasons | None,
    auto_held: bool,
    now: datetime,
) -> None:
    """The author's statement first (on a removal), then each notifier's answer."""
    if statement is not None:
        notices.give_statement(comment, reports, statement, auto_held=auto_held, now=now)
    for report in reports:
        notices.tell_decision(report, comment, now)


def tell_of_ban(
    ban: Ban,
    *,
    statement: StatementOfReasons | None,
    comment: Comment | None,
    now: datetime,
) -> None:
    if statement is not None:
        notices.give_ban_statement(ban, statement, comment, now=now)


RECEIVERS = {
    lifecycle.comment_held: tell_moderators,
    lifecycle.comment_published: tell_subscribers,
    lifecycle.comment_unpublished: stop_quoting,
    lifecycle.comment_withdrawn: withdraw_mail,
    lifecycle.comment_text_changed: quote_the_new_text,
    lifecycle.subscription_asked: sign_up,
    lifecycle.report_filed: acknowledge_report,
    lifecycle.report_decided: tell_of_decision,
    lifecycle.ban_decided: tell_of_ban,
}


def connect() -> None:
    """Listen to the lifecycle (``create_app`` calls it; connecting again changes nothing)."""
    for signal, receiver in RECEIVERS.items():
        signal.connect(receiver)
