"""The admins' word lists (``MODERATION_KEYS``, ``DISALLOWED_KEYS``): what an entry means and
whether a comment matches it.

An entry is one of:

- a word or phrase (``kasino``, ``köp nu``): whole words, case-folded, in the text, name, email
  or website; ``spam`` finds "Spam!" but not "spamalot", a phrase allows any spaces between
  its words;
- a word pattern with ``*`` at its start or end: ``viagr*`` is a word that begins so,
  ``*bonus`` one that ends so, ``*casino*`` one that holds it anywhere;
- an email address (``anna@example.se``): that address exactly, in the email field only
  (normalized as everywhere, so never ``hanna@example.se``); ``@example.se``: every address at
  that domain, and no other (not ``@mail.example.se``);
- an IP address or network (``192.0.2.0``, ``192.0.2.0/24``, ``2001:db8::/32``): comments
  sent from that network. Comments keep only their network (IPv4 /24, IPv6 /48), so an
  address names its whole network and a narrower network the one it lies in.

Patterns are turned into expressions that never backtrack beyond a word (no entry can hang a
worker on a long comment); a ``*`` inside a word, or an entry that is only stars, is refused
where the list is set, with the entry named.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from flask_babel import lazy_gettext as _l

from commentsvc.privacy.identity import normalize_address

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
# What a comment keeps of its sender's address (privacy/addresses.anonymize_ip).
KEPT_PREFIX = {4: 24, 6: 48}


class BadEntry(ValueError):
    """An entry the lists cannot use; ``message`` names it and says how to write it."""

    def __init__(self, message: Any) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Entry:
    """One parsed entry: exactly one of ``pattern``, ``address``, ``domain``, ``network``."""

    text: str
    pattern: re.Pattern[str] | None = None
    address: str = ""
    domain: str = ""
    network: Network | None = None


def parse_entry(text: str) -> Entry:
    """What one entry means; ``BadEntry`` when it cannot mean anything."""
    entry = text.strip()
    network = _network(entry)
    if network is not None:
        return Entry(entry, network=network)
    if "/" in entry and _network(entry.partition("/")[0]) is not None:
        raise BadEntry(
            _l(
                "“%(entry)s” is not a network: write it like 192.0.2.0/24 or 2001:db8::/32.",
                entry=entry,
            )
        )
    if "@" in entry and not any(c.isspace() for c in entry):
        local, _, domain = entry.rpartition("@")
        if not local and domain and "@" not in domain:
            return Entry(entry, domain=domain.lower())
        if local and domain and "@" not in local:
            return Entry(entry, address=normalize_address(entry))
        raise BadEntry(
            _l(
                "“%(entry)s” is not an email address: write one like name@example.se, "
                "or @example.se for a whole domain.",
                entry=entry,
            )
        )
    return Entry(entry, pattern=_word_pattern(entry))


def check_entries(entries: Iterable[str]) -> None:
    """Refuse the first entry that cannot be used (``BadEntry`` names it)."""
    for entry in entries:
        parse_entry(entry)


def first_match(
    entries: Iterable[str],
    *,
    text: str = "",
    author: str = "",
    email: str = "",
    website: str = "",
    ip: str = "",
) -> str | None:
    """The first entry the comment matches, as the admins wrote it; None when none does.

    An entry that cannot be parsed (a list stored before the rules were checked) matches
    nothing rather than failing the comment.
    """
    words = [field.casefold() for field in (text, author, email, website) if field]
    address = normalize_address(email)
    network = _kept_network(ip)
    for entry in _parsed(tuple(entries)):
        if entry.pattern is not None:
            found = any(entry.pattern.search(field) for field in words)
        elif entry.address:
            found = bool(address) and address == entry.address
        elif entry.domain:
            found = bool(address) and address.rpartition("@")[2] == entry.domain
        else:
            found = _same_network(entry.network, network)
        if found:
            return entry.text
    return None


@lru_cache(maxsize=64)
def _parsed(entries: tuple[str, ...]) -> tuple[Entry, ...]:
    parsed = []
    for text in entries:
        if not text.strip():
            continue
        try:
            parsed.append(parse_entry(text))
        except BadEntry:
            continue
    return tuple(parsed)


def _same_network(listed: Network | None, sent_from: Network | None) -> bool:
    if listed is None or sent_from is None or listed.version != sent_from.version:
        return False
    return listed.overlaps(sent_from)


def _network(text: str) -> Network | None:
    try:
        network = ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None
    if isinstance(network, ipaddress.IPv6Network) and network.network_address.ipv4_mapped:
        mapped = network.network_address.ipv4_mapped
        return ipaddress.ip_network(f"{mapped}/{max(0, network.prefixlen - 96)}", strict=False)
    return network


def _kept_network(ip: str) -> Network | None:
    """The network a comment's (anonymized) address stands for."""
    address = _network(ip.strip()) if ip else None
    if address is None:
        return None
    prefix = KEPT_PREFIX[address.version]
    return address.supernet(new_prefix=prefix) if address.prefixlen > prefix else address


def _word_pattern(entry: str) -> re.Pattern[str]:
    """A word, a phrase or a word pattern as an expression over case-folded text.

    ``(?<!\\w)`` and ``(?!\\w)`` (Unicode word characters) stand at the entry's edges that are
    letters or digits; a ``*`` there drops the edge's boundary. Nothing repeats, so a search
    is linear in the text.
    """
    starts_open = entry.startswith("*")
    ends_open = entry.endswith("*")
    core = entry.strip("*")
    if "*" in entry and not any(c.isalnum() for c in core):
        raise BadEntry(
            _l("“%(entry)s”: a pattern needs letters or digits besides the *.", entry=entry)
        )
    if "*" in core:
        raise BadEntry(
            _l(
                "“%(entry)s”: a * may stand only at the start or the end of an entry "
                "(viagr*, *bonus).",
                entry=entry,
            )
        )
    body = r"\s+".join(re.escape(word) for word in core.casefold().split())
    before = "" if starts_open or not _is_word_char(core[0]) else r"(?<!\w)"
    after = "" if ends_open or not _is_word_char(core[-1]) else r"(?!\w)"
    return re.compile(before + body + after)


def _is_word_char(char: str) -> bool:
    return re.match(r"\w", char) is not None
