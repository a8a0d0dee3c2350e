"""Bans: a moderator's decision that an address or a network may not comment on a site, for
some days or until lifted. Each is audited (``BAN``, ``UNBAN``) and, when it is by address,
is a decision the person hears about with a statement of reasons (DSA art. 17 covers
suspensions): the ban is announced (``lifecycle.ban_decided``) and ``notify`` writes the mail.

What a ban does to a new comment is the posting service's (``threads.banned``: the match,
``threads.posting``: refuse or hold as ``BAN_ACTION`` says). Services flush; the view or the
command commits once.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from commentsvc import lifecycle
from commentsvc.audit import record_event
from commentsvc.errors import DomainError
from commentsvc.extensions import db
from commentsvc.forms.bans import NOTE_MAX
from commentsvc.models.moderation import AuditAction
from commentsvc.models.people import Ban
from commentsvc.models.reports import ReportReason, StatementOfReasons
from commentsvc.models.threads import Comment
from commentsvc.privacy.identity import normalize_address
from commentsvc.setting_specs import CENTURY_DAYS
from commentsvc.threads.banned import active_ban_for, active_condition, is_active

__all__ = [
    "BanInvalid",
    "BanNotFound",
    "Target",
    "active_ban_for",
    "add_ban",
    "check_days",
    "check_reason",
    "find_ban",
    "is_active",
    "lift_ban",
    "lift_bans_on",
    "list_bans",
    "network_of",
    "parse_target",
    "statements_of",
]

# What the service keeps of an address (privacy.addresses.anonymize_ip): a ban can be no
# narrower, or it would never match anyone, or match a whole network while saying one host.
STORED_PREFIX = {4: 24, 6: 48}
# The widest network a ban may name: a slip of the keyboard (0.0.0.0/0) must not shut out
# everyone.
WIDEST_PREFIX = {4: 8, 6: 16}


class BanInvalid(DomainError):
    """A ban the rules do not take as asked; ``field`` names what to correct."""

    status = 422
    code = "invalid"


class BanNotFound(DomainError):
    status = 404
    code = "ban_not_found"


@dataclass(frozen=True)
class Target:
    """What a ban is on: a normalized address or a network (CIDR), exactly one of them."""

    address: str = ""
    network: str = ""


def network_of(ip: str) -> str:
    """The CIDR of a stored (anonymized) address, as the desk offers it: ``192.0.2.0/24``;
    "" for none."""
    try:
        parsed = ipaddress.ip_address((ip or "").strip())
    except ValueError:
        return ""
    prefix = STORED_PREFIX[parsed.version]
    return str(ipaddress.ip_network(f"{parsed}/{prefix}", strict=False))


def parse_target(text: str | None) -> Target:
    """An email address (normalized) or a network (CIDR, or the bare network address the
    queue shows), or why it is neither."""
    text = (text or "").replace("\x00", "").strip()
    if not text:
        raise BanInvalid(_l("Enter an email address or a network to ban."), field="target")
    if "@" in text:
        try:
            validate_email(text, check_deliverability=False)
        except EmailNotValidError:
            raise BanInvalid(
                _l("%(value)s is not an email address like namn@exempel.se.", value=text),
                field="target",
            ) from None
        return Target(address=normalize_address(text))
    try:
        # strict=False: 192.0.2.77/24 is the /24 it names.
        network = ipaddress.ip_network(
            text if "/" in text else network_of(text) or text, strict=False
        )
    except ValueError:
        raise BanInvalid(
            _l(
                "%(value)s is neither an email address nor a network (such as 192.0.2.0/24 "
                "or 2001:db8:1::/48).",
                value=text,
            ),
            field="target",
        ) from None
    if "/" not in text and ipaddress.ip_address(text) != network.network_address:
        # A full address: the service keeps none, so a ban could never match it.
        raise BanInvalid(
            _l(
                "Only whole networks can be banned: the service keeps addresses to the "
                "network only. Ban %(network)s instead.",
                network=network_of(text),
            ),
            field="target",
        )
    widest = STORED_PREFIX[network.version]
    if network.prefixlen > widest:
        raise BanInvalid(
            _l(
                "%(value)s is narrower than what the service keeps of an address (/%(prefix)s): "
                "it would match no comment. Ban %(network)s instead.",
                value=text,
                prefix=widest,
                network=network_of(str(network.network_address)),
            ),
            field="target",
        )
    if network.prefixlen < WIDEST_PREFIX[network.version]:
        raise BanInvalid(
            _l(
                "%(value)s is too wide: it would shut out a large part of the internet. A "
                "network ban can be at most a /%(prefix)s.",
                value=text,
                prefix=WIDEST_PREFIX[network.version],
            ),
            field="target",
        )
    return Target(network=str(network))


def check_days(days: int | str | None) -> int | None:
    """The ban's length in days (None: until lifted), or why it cannot be one."""
    if days is None or (isinstance(days, str) and not days.strip()):
        return None
    try:
        number = int(str(days).strip())
    except ValueError:
        number = 0
    if not 1 <= number <= CENTURY_DAYS:
        raise BanInvalid(
            _l(
                "Enter the number of days as a whole number from 1 to %(maximum)s, or leave it "
                "empty for a ban until it is lifted.",
                maximum=CENTURY_DAYS,
            ),
            field="days",
        )
    return number


def check_reason(reason: str | None) -> ReportReason:
    try:
        return ReportReason((reason or "").strip())
    except ValueError:
        raise BanInvalid(
            _l(
                "Choose a reason from the list: %(choices)s.",
                choices=", ".join(r.value for r in ReportReason),
            ),
            field="reason",
        ) from None


def _check_note(note: str | None) -> str:
    note = (note or "").replace("\x00", "").strip()
    if len(note) > NOTE_MAX:
        raise BanInvalid(
            _l(
                "The note can be at most %(limit)s characters; it has %(length)s.",
                limit=NOTE_MAX,
                length=len(note),
            ),
            field="note",
        )
    return note


def _comment_on(site_id: str, comment_id: int | None) -> Comment | None:
    if comment_id is None:
        return None
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.article.site_id != site_id:
        raise BanInvalid(
            _l("There is no comment %(id)s on this site.", id=comment_id), field="comment"
        )
    return comment


def _active_on(site_id: str, target: Target, now: datetime) -> Ban | None:
    column = Ban.address if target.address else Ban.network
    return db.session.execute(
        select(Ban)
        .where(
            Ban.site_id == site_id,
            column == (target.address or target.network),
            active_condition(now),
        )
        .order_by(Ban.id)
        .limit(1)
    ).scalar_one_or_none()


def add_ban(
    site_id: str,
    target: str,
    *,
    days: int | str | None,
    reason: str | None,
    note: str | None = "",
    comment_id: int | None = None,
    by: str,
    now: datetime,
) -> Ban:
    """Ban an address or a network on ``site_id`` for ``days`` (None: until lifted), audited;
    a ban by address is announced with its statement of reasons, which ``notify`` mails to the
    person in the site's language. Refused when one is already in force on the same target."""
    parsed = parse_target(target)
    length = check_days(days)
    chosen = check_reason(reason)
    note = _check_note(note)
    comment = _comment_on(site_id, comment_id)
    earlier = _active_on(site_id, parsed, now)
    if earlier is not None:
        raise BanInvalid(
            _l(
                "%(target)s is already banned on this site (ban %(id)s). Lift that ban first to "
                "change it.",
                target=parsed.address or parsed.network,
                id=earlier.id,
            ),
            field="target",
        )
    ban = Ban(
        site_id=site_id,
        address=parsed.address,
        network=parsed.network,
        reason=chosen.value,
        note=note,
        comment_id=comment.id if comment else None,
        created_by=by,
        created_at=now,
        expires_at=now + timedelta(days=length) if length else None,
    )
    db.session.add(ban)
    db.session.flush()
    # The log names the ban, never the address: what an erasure cannot reach holds none
    # (audit.py). A network is no person's address (anonymized), so it is named.
    details = {"ban": ban.id, "kind": "address" if parsed.address else "network"}
    if parsed.network:
        details["target"] = parsed.network
    details.update({"days": length, "reason": chosen.value})
    if comment is not None:
        details["comment"] = comment.id
    record_event(AuditAction.BAN, details, by=by, now=now, site=site_id)
    statement = None
    if parsed.address:
        recipient = comment.email if comment and comment.address == parsed.address else ""
        statement = StatementOfReasons(
            comment_id=comment.id if comment else None,
            ban_id=ban.id,
            site_id=site_id,
            recipient=recipient or parsed.address,
            address=parsed.address,
            reason=chosen.value,
            ground=note,
            decided_by=by,
            created_at=now,
        )
        db.session.add(statement)
        db.session.flush()
    lifecycle.ban_decided.send(ban, statement=statement, comment=comment, now=now)
    db.session.flush()
    return ban


def find_ban(ban_id: int, *, sites: Collection[str] | None = None) -> Ban:
    """The ban, when it is on one of ``sites`` (None: any); else as if there were none."""
    ban = db.session.get(Ban, ban_id)
    if ban is None or (sites is not None and ban.site_id not in sites):
        raise BanNotFound(_l("There is no ban %(id)s.", id=ban_id))
    return ban


def _lift(ban: Ban, *, by: str, now: datetime) -> None:
    ban.lifted_at, ban.lifted_by = now, by
    details = {"ban": ban.id, "kind": "address" if ban.address else "network"}
    if ban.network:
        details["target"] = ban.network
    record_event(AuditAction.UNBAN, details, by=by, now=now, site=ban.site_id)


def lift_ban(ban_id: int, *, by: str, now: datetime, sites: Collection[str] | None = None) -> Ban:
    """Lift a ban in force (one of ``sites``), audited; a lifted or ended one is refused."""
    ban = find_ban(ban_id, sites=sites)
    if not is_active(ban, now):
        raise BanInvalid(
            _l("Ban %(id)s is no longer in force: it was lifted or has ended.", id=ban.id)
        )
    _lift(ban, by=by, now=now)
    db.session.flush()
    return ban


def lift_bans_on(site_id: str, target: str, *, by: str, now: datetime) -> list[Ban]:
    """Lift every ban in force on ``site_id`` on exactly this address or network."""
    parsed = parse_target(target)
    column = Ban.address if parsed.address else Ban.network
    bans = list(
        db.session.execute(
            select(Ban)
            .where(
                Ban.site_id == site_id,
                column == (parsed.address or parsed.network),
                active_condition(now),
            )
            .order_by(Ban.id)
        ).scalars()
    )
    for ban in bans:
        _lift(ban, by=by, now=now)
    db.session.flush()
    return bans


def list_bans(
    *,
    now: datetime,
    sites: Collection[str] | None = None,
    search: str = "",
    everything: bool = False,
    limit: int = 500,
) -> list[Ban]:
    """Bans of ``sites`` (None: every site), newest first: those in force, or with
    ``everything`` the lifted and ended too. ``search`` is an exact address (normalized) or a
    network: the bans on that address, or on a network that holds or lies in it."""
    query = select(Ban).order_by(Ban.id.desc())
    if sites is not None:
        query = query.where(Ban.site_id.in_(sorted(sites)))
    if not everything:
        query = query.where(active_condition(now))
    search = (search or "").strip()
    if not search:
        return list(db.session.execute(query.limit(limit)).scalars())
    if "@" in search:
        # Exact identity, never a LIKE over addresses (a search for anna@ must not find hanna@).
        query = query.where(Ban.address == normalize_address(search))
        return list(db.session.execute(query.limit(limit)).scalars())
    try:
        wanted = ipaddress.ip_network(search, strict=False)
    except ValueError:
        raise BanInvalid(
            _l(
                "Search for an exact email address or a network (such as 192.0.2.0/24).",
            ),
            field="q",
        ) from None
    found = []
    for ban in db.session.execute(query.where(Ban.network != "")).scalars():
        banned = ipaddress.ip_network(ban.network)
        if banned.version == wanted.version and banned.overlaps(wanted):
            found.append(ban)
    return found[:limit]


def statements_of(bans: Collection[Ban]) -> dict[int, StatementOfReasons]:
    """The statement of reasons sent about each ban by address, by the ban's number."""
    ids = [b.id for b in bans if b.address]
    if not ids:
        return {}
    found = db.session.execute(
        select(StatementOfReasons).where(StatementOfReasons.ban_id.in_(ids))
    ).scalars()
    return {s.ban_id: s for s in found}
