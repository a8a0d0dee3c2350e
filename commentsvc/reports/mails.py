"""The mails of notice and action: the acknowledgement and the decision with its reasons."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from flask_babel import force_locale
from flask_babel import gettext as _

from commentsvc.dates import utc_time
from commentsvc.extensions import db
from commentsvc.models import (
    Comment,
    OutboxMail,
    Report,
    ReportOutcome,
    StatementOfReasons,
)
from commentsvc.reports.rules import dsa_contact, reason_label, reports_to_hold
from commentsvc.weburls import public_url, safe_href


def _comment_link(comment: Comment) -> str:
    """Where a mail's reader finds the comment: the article's page when its address may be a
    link, else our thread page, built from ``PUBLIC_URL``."""
    page = safe_href(comment.article.url) or public_url(
        "public.thread", article=comment.article.key
    )
    return f"{page}#comment-{comment.id}"


def _acknowledge(report: Report, comment: Comment, now: datetime) -> None:
    """The notifier's receipt, in their language. Not tied to the comment in the outbox: the
    comment's author must never find the notifier's address in their own data export."""
    with force_locale(report.lang):
        subject = _("We have received your report (case %(case)s)", case=report.id)
        body = "\n".join(
            [
                _(
                    "Thank you for your report of a comment on “%(title)s”.",
                    title=comment.article.title,
                ),
                _comment_link(comment),
                "",
                _("Reason: %(reason)s", reason=reason_label(report.reason)),
                _("Received: %(when)s", when=utc_time(report.created_at)),
                "",
                _(
                    "What happens next: a moderator (a person) looks at the comment and decides "
                    "whether it stays or is removed. When several readers report a comment, it "
                    "is hidden until then. You will get another email with the decision and "
                    "its reason."
                ),
                "",
                _("Questions: %(contact)s", contact=dsa_contact()),
            ]
        )
    db.session.add(OutboxMail.due_now(report.email, subject, body, now=now))


def _tell_decision(report: Report, comment: Comment, now: datetime) -> None:
    if not report.email:
        return
    with force_locale(report.lang):
        subject = _("Decision on your report (case %(case)s)", case=report.id)
        if report.outcome == ReportOutcome.REMOVED:
            decision = _(
                "A moderator has removed the comment you reported on “%(title)s”. "
                "Ground: %(reason)s.",
                title=comment.article.title,
                reason=reason_label(report.decision_reason),
            )
        else:
            decision = _(
                "A moderator has looked at the comment you reported on “%(title)s” and decided "
                "to keep it: as we see it, it breaks neither the law nor the site's rules.",
                title=comment.article.title,
            )
        body = "\n".join(
            [
                decision,
                _("The decision was made by a person, not by an automated system."),
                _("Decided: %(when)s", when=utc_time(now)),
                "",
                _(
                    "If you disagree, write to %(contact)s and quote case %(case)s.",
                    contact=dsa_contact(),
                    case=report.id,
                ),
            ]
        )
    db.session.add(OutboxMail.due_now(report.email, subject, body, now=now))


def _statement_text(
    comment: Comment, reports: list[Report], statement: StatementOfReasons, auto_held: bool
) -> tuple[str, str]:
    """The statement of reasons: what was done, the facts, who decided, the ground, objecting."""
    counts = Counter(reason_label(r.reason) for r in reports)
    reasons = ", ".join(f"{label} ({n})" for label, n in counts.most_common())
    subject = _("Your comment on “%(title)s” has been removed", title=comment.article.title)
    facts = [
        _(
            "The facts: %(count)s readers reported the comment (%(reasons)s).",
            count=len(reports),
            reasons=reasons,
        )
    ]
    if auto_held:
        facts.append(
            _(
                "After %(count)s reports it was hidden automatically until a moderator decided.",
                count=reports_to_hold(),
            )
        )
    lines = [
        _("Statement of reasons (case %(case)s)", case=comment.id),
        "",
        _(
            "What was done: your comment on “%(title)s”, written %(when)s, has been removed "
            "from the site; readers no longer see it.",
            title=comment.article.title,
            when=utc_time(comment.created_at),
        ),
        "",
        *facts,
        _("Your comment:"),
        *("> " + line for line in comment.text.splitlines()),
        "",
        _(
            "Who decided: a moderator (a person) decided after reading the comment and the "
            "reports; it was not decided by an automated system."
        ),
        _(
            "The ground: %(reason)s. %(ground)s",
            reason=reason_label(statement.reason),
            ground=statement.ground,
        ),
        "",
        _(
            "How to object: if you think the decision is wrong, reply to this email or write to "
            "%(contact)s and quote case %(case)s. A person will review the decision again.",
            contact=dsa_contact(),
            case=comment.id,
        ),
    ]
    return subject, "\n".join(lines)
