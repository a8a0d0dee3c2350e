"""Whether a ban stands against a new comment: the rule the posting service asks.

Bans are made and lifted on the desk (``moderation.bans``); the match lives here, below the
moderation package, because posting a comment (``threads.posting``) must ask it and the
threads know nothing of the desk. A ban matches by the exact normalized address, or by the
network the comment's stored address (already anonymized: IPv4 /24, IPv6 /48) lies in.
"""

from __future__ import annotations

import ipaddress
from datetime import datetime

from sqlalchemy import or_, select

from commentsvc.extensions import db
from commentsvc.models.people import Ban
from commentsvc.privacy.identity import normalize_address


def is_active(ban: Ban, now: datetime) -> bool:
    """Not lifted, and not past its end (None: until lifted)."""
    return ban.lifted_at is None and (ban.expires_at is None or ban.expires_at > now)


def active_condition(now: datetime):
    """``is_active`` as a condition on ``Ban``."""
    return Ban.lifted_at.is_(None) & or_(Ban.expires_at.is_(None), Ban.expires_at > now)


def in_network(ip: str, network: str) -> bool:
    """Whether the stored (anonymized) address ``ip`` lies in the CIDR ``network``."""
    try:
        return ipaddress.ip_address(ip.strip()) in ipaddress.ip_network(network, strict=False)
    except ValueError:
        return False


def active_ban_for(site_id: str, address: str, ip: str, *, now: datetime) -> Ban | None:
    """The ban in force on ``site_id`` against this address (as typed or normalized) or this
    anonymized address, the earliest first; None when there is none."""
    normalized = normalize_address(address)
    conditions = [Ban.network != ""]
    if normalized:
        conditions.append(Ban.address == normalized)
    bans = db.session.execute(
        select(Ban)
        .where(Ban.site_id == site_id, active_condition(now), or_(*conditions))
        .order_by(Ban.id)
    ).scalars()
    for ban in bans:
        if ban.address and ban.address == normalized:
            return ban
        # Network bans are few per site: matched here, where CIDR containment is the same
        # on SQLite and PostgreSQL.
        if ban.network and ip and in_network(ip, ban.network):
            return ban
    return None
