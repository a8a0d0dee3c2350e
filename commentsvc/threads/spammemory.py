"""The spam memory, as Antispam Bee keeps one: a new comment from an address, a website's
domain or a network that moderators have marked as spam on the same site waits for a
moderator, with the reason shown in the queue.

Only a moderator's decision counts (a spam comment with ``decided_by``), never the policy's
own spam (the time-trap, the honeypot, a word list): a program's mistakes are not repeated
on a person. Nothing leaves the machine; the site's own comments are the memory, so purging
old spam (``PURGE_AFTER_DAYS``) forgets it too. A site turns it off with ``SPAM_MEMORY``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select

from commentsvc.extensions import db
from commentsvc.models.threads import Article, Comment, CommentStatus
from commentsvc.privacy.addresses import anonymize_ip
from commentsvc.privacy.identity import normalize_address

# Spam comments a website's look-up reads at most: the first query narrows by text, the exact
# domain is compared here, so a few near misses (example.se.evil.com) may come first.
WEBSITE_CANDIDATES = 200


def remembered_spam(
    site_id: str,
    config: Mapping[str, Any],
    *,
    email: str = "",
    website: str = "",
    ip: str = "",
    **_other: str,
) -> list[str]:
    """Reason codes (``spam-memory:address|website|network``) for what of the sender
    moderators marked as spam on this site; empty when nothing, or ``SPAM_MEMORY`` is off."""
    if not config.get("SPAM_MEMORY", True):
        return []
    reasons = []
    address = normalize_address(email)
    if address and _marked(site_id, Comment.address == address):
        reasons.append("spam-memory:address")
    domain = website_domain(website)
    if domain and _website_marked(site_id, domain):
        reasons.append("spam-memory:website")
    network = anonymize_ip(ip)  # what comments keep of theirs
    if network and _marked(site_id, Comment.ip == network):
        reasons.append("spam-memory:network")
    return reasons


def website_domain(website: str) -> str:
    """The host of a website address, lower-cased and without a leading ``www.``; "" for
    none. ``https://www.Example.se/sida`` and ``http://example.se`` are the same domain,
    ``https://example.se.evil.com`` another."""
    try:
        host = (urlsplit(website.strip()).hostname or "") if website else ""
    except ValueError:
        return ""
    host = host.lower().rstrip(".")
    return host.removeprefix("www.")


def _decided_spam(site_id: str):
    return (
        select(Comment.id)
        .join(Article, Comment.article_id == Article.id)
        .where(
            Comment.status == CommentStatus.SPAM,
            Comment.decided_by.is_not(None),
            Article.site_id == site_id,
        )
    )


def _marked(site_id: str, condition) -> bool:
    return db.session.execute(_decided_spam(site_id).where(condition).limit(1)).first() is not None


def _website_marked(site_id: str, domain: str) -> bool:
    # The domain narrows the rows (its wildcards escaped); the host itself decides.
    pattern = "%" + domain.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    candidates = db.session.execute(
        _decided_spam(site_id)
        .add_columns(Comment.website)
        .where(Comment.website.ilike(pattern, escape="\\"))
        .limit(WEBSITE_CANDIDATES)
    )
    return any(website_domain(website) == domain for _id, website in candidates)
