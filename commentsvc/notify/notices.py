"""The mails of notice and action (``lifecycle.report_filed`` and ``report_decided``): the
notifier's receipt, the decision with its reasons, and the statement of reasons for the author
of a removed comment."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy import select

from commentsvc.extensions import db
from commentsvc.models.people import Ban
from commentsvc.models.reports import Report, ReportOutcome, StatementOfReasons
from commentsvc.models.sites import DEFAULT_SITE
from commentsvc.models.threads import Comment
from commentsvc.notify.mail import local_time, queue, render
from commentsvc.reports import trust
from commentsvc.reports.rules import dsa_contact, provider_name, reason_label, reports_to_hold
from commentsvc.weburls import public_url, safe_href


def site_args(site_id: str) -> dict[str, str]:
    """What a link to our thread page of ``site_id`` adds: the site, unless it is the default
    (whose links read as they did before sites)."""
    return {} if site_id == DEFAULT_SITE else {"site": site_id}


def report_link(comment: Comment) -> str:
    """Where a notifier finds the comment: the article's page when its address may be a link,
    else our thread page, from ``PUBLIC_URL``."""
    article = comment.article
    page = safe_href(article.url) or public_url(
        "public.thread", article=article.key, **site_args(article.site_id)
    )
    return f"{page}#comment-{comment.id}"


def acknowledge(report: Report, comment: Comment, now: datetime, confirm_token: str = "") -> None:
    """The notifier's receipt, in their language, with the link that confirms their address.

    Anyone can type someone else's address into a report, so an address gets at most one
    receipt a day, whoever names it, and nothing more until a report is confirmed by its link.
    Not tied to the comment in the outbox: the comment's author must never find the
    notifier's address in their own data export."""
    if not report.email or not _claim_receipt(report, now):
        return
    site_id = comment.article.site_id
    queue(
        "report_received",
        to=report.email,
        language=report.lang,
        site_id=site_id,
        now=now,
        report=report,
        comment=comment,
        link=report_link(comment),
        confirm_link=public_url("reports.confirm_page", token=confirm_token, lang=report.lang)
        if confirm_token
        else "",
        confirm_days=trust.CONFIRM_LINK_DAYS,
        reason_label=reason_label,
        received=local_time(report.created_at, site_id),
        contact=dsa_contact(site_id),
    )


def _claim_receipt(report: Report, now: datetime) -> bool:
    """Whether the address had no receipt in the last day; if so, this report takes it.
    Reports naming one address wait for each other here, so that a burst sends one."""
    trust.one_at_a_time(f"report-receipt:{report.address}")
    earlier = db.session.execute(
        select(Report.id)
        .where(
            Report.address == report.address,
            Report.id != report.id,
            Report.receipt_sent_at > now - trust.RECEIPT_INTERVAL,
        )
        .limit(1)
    ).first()
    if earlier is not None:
        return False
    report.receipt_sent_at = now
    return True


def tell_decision(report: Report, comment: Comment, now: datetime) -> None:
    """The notifier hears whether the comment stays or goes, and why, in their language: only
    one who confirmed the report, since an unconfirmed address may be anyone's."""
    if not report.email or report.confirmed_at is None:
        return
    site_id = comment.article.site_id
    queue(
        "report_decided",
        to=report.email,
        language=report.lang,
        site_id=site_id,
        now=now,
        report=report,
        comment=comment,
        removed=report.outcome == ReportOutcome.REMOVED,
        reason_label=reason_label,
        decided=local_time(now, site_id),
        contact=dsa_contact(site_id),
    )


def give_statement(
    comment: Comment,
    reports: list[Report],
    statement: StatementOfReasons,
    *,
    auto_held: bool,
    now: datetime,
) -> None:
    """Write the statement of reasons (what was done, the facts, who decided, the ground, how
    to object) as the comment's site: in its language, naming its provider and point of
    contact; keep its text on the statement, and mail it to the author when they gave an
    address. Tied to the comment: their export finds it."""
    site_id = comment.article.site_id
    context = {
        "comment": comment,
        "reports": reports,
        "statement": statement,
        "auto_held": auto_held,
        # Counted by reason code; the template names each in the mail's language.
        "counts": Counter(r.reason for r in reports).most_common(),
        "reason_label": reason_label,
        "hold_after": reports_to_hold(site_id),
        "written": local_time(comment.created_at, site_id),
        "contact": dsa_contact(site_id),
        "provider": provider_name(site_id),
    }
    if comment.email:
        mail = queue(
            "statement",
            to=comment.email,
            language=None,  # the site's
            site_id=site_id,
            now=now,
            comment_id=comment.id,
            about_address=comment.address,
            **context,
        )
        statement.body = mail.body
    else:
        statement.body = render("statement", language=None, site_id=site_id, **context).body


def give_ban_statement(
    ban: Ban, statement: StatementOfReasons, comment: Comment | None, *, now: datetime
) -> None:
    """The statement of reasons for a ban by address (what was decided, for how long, on what
    ground, who decided, how to object), written as the ban's site in its language, kept on
    the statement and mailed to the person. Not tied to the comment in the outbox: a later
    decision on the comment must not take the statement back; the address finds it."""
    site_id = ban.site_id
    context = {
        "ban": ban,
        "statement": statement,
        "comment": comment,
        "reason_label": reason_label,
        "until": local_time(ban.expires_at, site_id) if ban.expires_at else "",
        "written": local_time(comment.created_at, site_id) if comment else "",
        "contact": dsa_contact(site_id),
        "provider": provider_name(site_id),
    }
    mail = queue(
        "ban_statement",
        to=statement.recipient,
        language=None,  # the site's
        site_id=site_id,
        now=now,
        about_address=ban.address,
        **context,
    )
    statement.body = mail.body
