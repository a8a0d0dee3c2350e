"""Opaque tokens for links: what a link proves is kept in the database, never in the link.

A link in a mail or in a page's address ends up in access logs, proxies, browser histories
and Referer headers, and stays there after the person is erased. So a token is 32 random
bytes (``secrets.token_urlsafe``) and nothing else: no address, no id, nothing to decode. Its
SHA-256 is stored (``LinkToken``) with its purpose, whose it is (the normalized address),
what it is about, when it was issued, when it expires and when it was spent. A random token
needs no key to hash: nobody can find the bytes from the digest.

An erasure deletes the person's tokens (``erase``), so every link mailed to them dies; the
retention purge deletes those that no longer work (``purge``). Services take ``now``.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update

from commentsvc.extensions import db
from commentsvc.models.mail import Subscriber
from commentsvc.models.tokens import LinkToken, TokenPurpose

# A token is 43 characters; anything much longer is not one of ours (and is not hashed).
LONGEST = 100
# Instances' clocks differ by a moment: a token issued by one whose clock is a little ahead
# is accepted at once by another; one "issued" further in the future is not.
CLOCK_LEEWAY = timedelta(seconds=5)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(
    purpose: TokenPurpose,
    *,
    address: str = "",
    subject_id: int | None = None,
    now: datetime,
    lifetime: timedelta | None = None,
) -> str:
    """A new token for ``purpose``; only its digest is stored (the caller commits)."""
    token = secrets.token_urlsafe(32)
    db.session.add(
        LinkToken(
            token_digest=_digest(token),
            purpose=purpose,
            address=address,
            subject_id=subject_id,
            created_at=now,
            expires_at=now + lifetime if lifetime is not None else None,
        )
    )
    return token


def _well_formed(token: str | None) -> bool:
    return bool(token) and len(token) <= LONGEST and token.isascii()


def find(purpose: TokenPurpose, token: str | None) -> LinkToken | None:
    """The stored token, whatever its state (expired, spent), or None when it is not one of
    ours for ``purpose``; callers say why a found one no longer works."""
    if not _well_formed(token):
        return None
    return db.session.execute(
        select(LinkToken).where(
            LinkToken.token_digest == _digest(token), LinkToken.purpose == purpose
        )
    ).scalar_one_or_none()


def is_current(row: LinkToken, now: datetime, max_age: timedelta | None = None) -> bool:
    """Issued (within the leeway), not expired, not older than ``max_age``, not spent."""
    if row.used_at is not None or row.created_at > now + CLOCK_LEEWAY:
        return False
    if row.expires_at is not None and now > row.expires_at:
        return False
    return max_age is None or now - row.created_at <= max_age


def find_many(
    purpose: TokenPurpose, tokens: Iterable[str], now: datetime, max_age: timedelta | None = None
) -> dict[str, LinkToken]:
    """The current ones among ``tokens``, each with its row: one query."""
    wanted = {_digest(t): t for t in tokens if _well_formed(t)}
    if not wanted:
        return {}
    rows = db.session.execute(
        select(LinkToken).where(LinkToken.token_digest.in_(wanted), LinkToken.purpose == purpose)
    ).scalars()
    return {wanted[r.token_digest]: r for r in rows if is_current(r, now, max_age)}


def spend_all(purpose: TokenPurpose, address: str, now: datetime) -> None:
    """Spend every open token of ``purpose`` that ``address`` holds (a confirmation used by
    one link spends the others mailed before it)."""
    db.session.execute(
        update(LinkToken)
        .where(
            LinkToken.purpose == purpose,
            LinkToken.address == address,
            LinkToken.used_at.is_(None),
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )


def held_by(address: str) -> list[LinkToken]:
    """The tokens issued to ``address`` (for a privacy export: what, when; never the token)."""
    if not address:
        return []
    return list(
        db.session.execute(
            select(LinkToken).where(LinkToken.address == address).order_by(LinkToken.id)
        ).scalars()
    )


def erase(address: str) -> int:
    """Delete every token of ``address``: each link mailed or shown to them dies."""
    if not address:
        return 0
    return db.session.execute(
        delete(LinkToken)
        .where(LinkToken.address == address)
        .execution_options(synchronize_session=False)
    ).rowcount


def purge(now: datetime, *, left_before: datetime | None = None) -> int:
    """Delete the tokens whose links no longer work: past their expiry (spent ones too), and,
    with ``left_before``, unsubscribe links issued before it to an address that has left
    every subscription (such a link never expires, RFC 8058, but it stops nothing)."""
    deleted = db.session.execute(
        delete(LinkToken)
        .where(LinkToken.expires_at.is_not(None), LinkToken.expires_at < now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if left_before is not None:
        deleted += db.session.execute(
            delete(LinkToken)
            .where(
                LinkToken.purpose == TokenPurpose.UNSUBSCRIBE,
                LinkToken.created_at < left_before,
                LinkToken.address.not_in(select(Subscriber.address)),
            )
            .execution_options(synchronize_session=False)
        ).rowcount
    return deleted
