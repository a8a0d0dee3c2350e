"""Who counts as an independent reader when reports hold a comment.

A client can invent any browser id, any ``reporter`` string, any session: those only keep one
browser from reporting twice. What holds a comment is the number of different networks
(the anonymized address, ``privacy.addresses.anonymize_ip``: IPv4 /24, IPv6 /48) the reports
came from, and a notifier who proved their address by the link in the receipt weighs two.
One network never holds a comment alone, however much it weighs.

The network is stored only as an HMAC with the secret key and the day: a report of today can be
matched with an earlier one on the same comment while the request that files it is here (its
network is known, so its hash under that day's key can be made), but the stored rows of two
days cannot be joined to each other, nor to a network without the key.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import text

from commentsvc.extensions import db
from commentsvc.models.reports import Report
from commentsvc.privacy.addresses import network_key

CONFIRMED_WEIGHT = 2  # a notifier who proved their address counts as two readers
CONFIRM_LINK_DAYS = 7  # as the notification confirmation: the link works this long
RECEIPT_INTERVAL = timedelta(days=1)  # at most one receipt per address and day


def network_hash(network: str, day: date) -> str:
    """The network as stored: keyed with the secret and the day, so it changes daily."""
    return network_key(network, day=day)


def same_network(network: str, earlier: Iterable[Report]) -> Report | None:
    """The first of ``earlier`` (a comment's open reports) filed from ``network``, if any."""
    keys: dict[date, str] = {}
    for report in earlier:
        if not report.network:
            continue  # filed before networks were kept: a network of its own
        day = report.created_at.date()
        if day not in keys:
            keys[day] = network_hash(network, day)
        if hmac.compare_digest(report.network, keys[day]):
            return report
    return None


@dataclass(frozen=True)
class Readers:
    """The independent readers behind a comment's open reports."""

    networks: int  # different networks
    weight: int  # each network counts one, or CONFIRMED_WEIGHT with a confirmed notifier

    def hold(self, limit: int) -> bool:
        """Enough to hold the comment: ``limit`` by weight, from more than one network."""
        return bool(limit) and self.networks >= 2 and self.weight >= limit


def independent_readers(reports: Iterable[Report]) -> Readers:
    by_network: dict[int, int] = {}
    for report in reports:
        network = report.network_of or report.id
        weight = CONFIRMED_WEIGHT if report.confirmed_at else 1
        by_network[network] = max(by_network.get(network, 0), weight)
    return Readers(networks=len(by_network), weight=sum(by_network.values()))


def one_at_a_time(key: str) -> None:
    """Make the transactions that name ``key`` wait for each other until they end.

    On PostgreSQL a transaction-scoped advisory lock. SQLite needs none: its first write
    takes the one write lock, so a transaction that writes before it reads is alone.
    """
    if db.session.get_bind().dialect.name != "postgresql":
        return
    number = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)
    db.session.execute(text("SELECT pg_advisory_xact_lock(:number)"), {"number": number})
