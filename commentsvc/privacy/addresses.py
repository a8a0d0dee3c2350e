"""Personal data rules: what of an address or an email may be kept, and in what form."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from datetime import date

from flask import current_app


def anonymize_ip(address: str | None) -> str:
    """Keep only the network: IPv4 to /24 (last octet zeroed), IPv6 to /48, as Isso does."""
    ip = _parsed(address)
    if ip is None:
        return ""
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False).network_address)


def _parsed(address: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address as Python's ipaddress reads it (IPv4-mapped IPv6 as IPv4), or None."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return None
    if ip.version == 6 and ip.ipv4_mapped:
        return ip.ipv4_mapped
    return ip


def _keyed(purpose: str, value: str, secret: str | None) -> str:
    # A purpose of its own in the key: an address's hash never matches its network's, nor any
    # other keyed hash made with the same secret (avatars, tokens).
    key = f"commentsvc {purpose}|{secret or current_app.config['SECRET_KEY']}"
    return hmac.new(key.encode(), value.encode(), hashlib.sha256).hexdigest()[:32]


def address_key(address: str | None, *, secret: str | None = None) -> str:
    """A keyed hash of one address: what counts a reader's requests (rate limits) without
    keeping the address anywhere, in memory, Redis or the database.

    HMAC with the secret key: 2^32 IPv4 addresses are quickly tried against a plain hash,
    not against a keyed one. The same address gives the same key in every worker and instance
    that shares the secret. ``::ffff:192.0.2.10`` is ``192.0.2.10``; a value that is not an
    address is hashed as it is.
    """
    ip = _parsed(address)
    return _keyed("address", str(ip) if ip else (address or "").strip(), secret)


def network_key(address: str | None, *, secret: str | None = None, day: date | None = None) -> str:
    """A keyed hash of the address's network (``anonymize_ip``: IPv4 /24, IPv6 /48): one
    value for everyone on that network, where the network is the rule (counting independent
    reporters, say). With ``day`` the key changes daily: values stored on two days cannot be
    joined to each other."""
    purpose = f"network {day.isoformat()}" if day else "network"
    return _keyed(purpose, anonymize_ip(address) or (address or "").strip(), secret)


def avatar_key(secret: str, email: str, author: str = "") -> str:
    """A keyed hash of the person (their email, else their name): stable, yet not reversible.

    HMAC with the secret key, so nobody can test guessed addresses against the avatar the way
    Gravatar's plain MD5 allows.
    """
    person = (email or author).strip().casefold()
    if not person:
        return ""
    digest = hmac.new(secret.encode(), person.encode(), hashlib.sha256).hexdigest()
    return digest[:32]


def notice() -> tuple[str, str]:
    """The short privacy notice under every form, and the link to the full policy ("" for none).

    One place for the plain page, the iframe and the script embed. A site's own
    ``PRIVACY_NOTICE`` is shown as written; the built-in text follows the reader's language.
    """
    from flask_babel import gettext as _

    from commentsvc.sites.config import effective_config

    config = effective_config()
    text = config["PRIVACY_NOTICE"] or _("How we handle your personal data")
    return text, config["PRIVACY_URL"]


def accessibility_statement() -> str | None:
    """The site's accessibility statement, linked beside the privacy notice under every form
    (None: no link). A public body must link it from its digital services; the address goes
    through the one rule for links we show."""
    from commentsvc.sites.config import effective_config
    from commentsvc.weburls import safe_href

    return safe_href(effective_config()["ACCESSIBILITY_URL"] or None)
