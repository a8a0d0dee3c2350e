"""Personal data rules: what of an address or an email may be kept, and in what form."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress


def anonymize_ip(address: str | None) -> str:
    """Keep only the network: IPv4 to /24 (last octet zeroed), IPv6 to /48, as Isso does."""
    if not address:
        return ""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return ""
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False).network_address)


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
    from flask import current_app
    from flask_babel import gettext as _

    config = current_app.config
    text = config["PRIVACY_NOTICE"] or _("How we handle your personal data")
    return text, config["PRIVACY_URL"]
