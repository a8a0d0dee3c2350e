"""The moderation policy: why a comment is spam or held, and how to say so."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select

from commentsvc.extensions import db
from commentsvc.models.people import Trust
from commentsvc.models.threads import Comment, CommentStatus
from commentsvc.sanitize import count_links
from commentsvc.threads.trust import trust_of
from commentsvc.wordlists import first_match


@dataclass(frozen=True)
class Signals:
    """What the sender's form tells about them: the stamp's age (None: missing or forged)
    and the honeypot field's content. Trusted callers (imports, staff) pass no signals."""

    stamp_age: float | None
    honeypot: str = ""
    proof_of_work: str = ""  # the form's solution of its challenge (threads/proofofwork.py)


def spam_reasons(
    config: Mapping[str, Any],
    *,
    author: str,
    email: str,
    website: str = "",
    ip: str = "",
    text: str = "",
    signals: Signals | None = None,
) -> list[str]:
    """Why a new comment is spam (reason codes); empty when it is not.

    Spam is stored, never dropped: a moderator can find it in the Spam tab and restore it.
    """
    reasons = []
    word = first_match(
        config["DISALLOWED_KEYS"], text=text, author=author, email=email, website=website, ip=ip
    )
    if word:
        reasons.append(f"disallowed-key:{word}")
    if signals is not None:
        if signals.honeypot:
            reasons.append("honeypot")
        minimum = config["MIN_SUBMIT_SECONDS"]
        if minimum:
            if signals.stamp_age is None:
                reasons.append("no-stamp")
            elif signals.stamp_age < minimum:
                reasons.append(f"too-fast:{max(0, round(signals.stamp_age))}")
    return reasons


def held_reasons(
    config: Mapping[str, Any],
    *,
    author: str,
    email: str,
    html: str,
    website: str = "",
    ip: str = "",
    text: str = "",
    site: str | None = None,
    premoderated: bool = False,
) -> list[str]:
    """Why a new comment must wait for a moderator, as reason codes (``describe_reason``).

    Empty when it may be published at once. Codes, not sentences, are stored, so the queue
    shows them in the moderator's language. Links and key words hold a comment even when
    ``MODERATION`` is ``none``, as in WordPress. ``premoderated``: the article's own rule
    (``Article.premoderated``), which holds every comment whatever the site's policy says.
    With ``site``, the moderators' decision about the person there counts too: always held,
    or trusted (no first-time hold; every other rule still applies).
    """
    mode = config["MODERATION"]
    standing = trust_of(site, email) if site is not None else None
    reasons = ["article"] if premoderated else []
    if standing == Trust.HELD:
        reasons.append("person-held")
    if mode == "all":
        reasons.append("all")
    elif (
        mode == "first-time"
        and standing != Trust.TRUSTED
        and not _has_approved_comment(author, email)
    ):
        reasons.append("first-time")
    links = count_links(html)
    if links > config["MAX_LINKS"]:
        reasons.append(f"links:{links}")
    word = first_match(
        config["MODERATION_KEYS"], text=text, author=author, email=email, website=website, ip=ip
    )
    if word:
        reasons.append(f"moderation-key:{word}")
    return reasons


REASONS = {
    "all": _l("every comment is reviewed"),
    "article": _l("every comment on this article is reviewed"),
    "reports": _l("reported by %(detail)s readers"),
    "first-time": _l("first comment from this author"),
    "person-held": _l("a moderator holds every comment of this person"),
    "moderation-key": _l("moderation word: %(detail)s"),
    "disallowed-key": _l("disallowed word: %(detail)s"),
    "honeypot": _l("the hidden field was filled in (a program, not a person)"),
    "no-stamp": _l("the form's time stamp was missing or forged"),
    "no-proof-of-work": _l("sent without a valid proof of work (no JavaScript, or a bot)"),
    "spam-memory:address": _l("the email address of a comment a moderator marked as spam"),
    "spam-memory:website": _l("the website of a comment a moderator marked as spam"),
    "spam-memory:network": _l("sent from the network of a comment a moderator marked as spam"),
    "banned": _l("the author's address or network is banned (BAN_ACTION = hold)"),
}


def describe_reason(code: str) -> str:
    """A stored reason code as a sentence for the moderator."""
    name, _, detail = code.partition(":")
    number = int(detail) if detail.isdigit() else 0
    # Counts take singular or plural as the language forms them.
    if name == "links":
        return ngettext("%(num)d link", "%(num)d links", number)
    if name == "too-fast":
        return ngettext(
            "sent %(num)d second after the form was shown",
            "sent %(num)d seconds after the form was shown",
            number,
        )
    text = REASONS.get(code, REASONS.get(name))
    if text is None:
        return code
    return str(text) % {"detail": detail} if "%(detail)s" in str(text) else str(text)


def reason_codes(comment: Comment) -> list[str]:
    return [code for code in comment.held_for.splitlines() if code]


def _has_approved_comment(author: str, email: str) -> bool:
    """WordPress's rule: an earlier approved comment under the same name and email."""
    found = db.session.execute(
        select(Comment.id)
        .where(
            Comment.email == email,
            Comment.author == author,
            Comment.status == CommentStatus.APPROVED,
        )
        .limit(1)
    ).first()
    return found is not None
