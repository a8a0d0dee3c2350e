"""A person's standing on one site as its moderators decided it (trusted, always held): what
the policy asks before it holds a new comment. A person is their normalized address, and a
decision on one site says nothing about another."""

from __future__ import annotations

from sqlalchemy import select

from commentsvc.extensions import db
from commentsvc.models.people import PersonTrust, Trust
from commentsvc.privacy.identity import normalize_address


def trust_of(site_id: str, email: str) -> Trust | None:
    """The moderators' decision about ``email`` on ``site_id``; None: none (or no address)."""
    address = normalize_address(email)
    if not address:
        return None
    return db.session.execute(
        select(PersonTrust.trust).where(
            PersonTrust.site_id == site_id, PersonTrust.address == address
        )
    ).scalar_one_or_none()
