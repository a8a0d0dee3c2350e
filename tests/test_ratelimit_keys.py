"""The rate limits count readers by a keyed hash of their address: the address itself is in no
key of the limits' storage (memory, Redis), while each address still has its own budget.

Three limits are hit from one address: posting a comment, opening a new thread, reporting.
Then every key the storage holds is read and searched for the address and for its network.
"""

from __future__ import annotations

import os
import uuid

import pytest

from commentsvc.privacy.addresses import address_key, anonymize_ip, network_key
from tests.conftest import ALLOWED_ORIGIN

ADDRESS = "198.51.100.77"  # used by no other test, so a scan of a shared Redis finds only ours
NEIGHBOUR = "198.51.100.78"  # same /24 network: a near miss that must count on its own
LIMITS = {
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_COMMENTS": "2 per minute",
    "RATELIMIT_NEW_ARTICLES": "5 per hour",
}
REDIS_URL = os.environ.get("TEST_REDIS_URL")


def from_address(address: str) -> dict:
    return {"headers": {"Origin": ALLOWED_ORIGIN}, "environ_base": {"REMOTE_ADDR": address}}


def post(client, article: str, text: str, address: str = ADDRESS):
    body = {"article": article, "comment": text, "author": "Anna", "email": "anna@example.se"}
    return client.post("/api/v1/comments", json=body, **from_address(address))


def hit_every_limit(client, article: str, published: int) -> None:
    """A comment, a new thread and a report from ADDRESS: each limit holds a key for it."""
    assert post(client, article, "Första").status_code == 201
    opened = client.get(
        "/api/v1/comments",
        query_string={"article": "ny-tråd", "url": f"{ALLOWED_ORIGIN}/ny-trad"},
        **from_address(ADDRESS),
    )
    assert opened.status_code == 200
    report = client.post(
        f"/api/v1/comments/{published}/reports",
        json={"reason": "spam", "reporter": "läsare-1"},
        **from_address(ADDRESS),
    )
    assert report.status_code == 201


def assert_no_address_in(keys: list[str]) -> None:
    assert keys, "the limits stored nothing: the test would prove nothing"
    for forbidden in (ADDRESS, anonymize_ip(ADDRESS), "198.51.100"):
        assert not [key for key in keys if forbidden in key], forbidden


def assert_each_address_keeps_its_own_budget(client, article: str) -> None:
    assert post(client, article, "Andra").status_code == 201
    assert post(client, article, "Tredje").status_code == 429  # the limit still counts...
    assert post(client, article, "Från grannen", NEIGHBOUR).status_code == 201  # ...per address


@pytest.mark.parametrize("config_overrides", [{**LIMITS, "RATELIMIT_STORAGE_URI": "memory://"}])
def test_the_memory_storage_keys_no_address(app, client, article, add_comment):
    published = add_comment(article, "Publicerad")
    hit_every_limit(client, article, published)
    storage = app.extensions["commentsvc-ratelimits"].limiter.storage
    keys = [*storage.storage, *storage.expirations, *storage.events]
    assert_no_address_in(keys)
    # What the keys hold instead: the keyed hash of the address, and nothing of its network.
    with app.app_context():
        assert any(address_key(ADDRESS) in key for key in keys)
        assert not any(network_key(ADDRESS) in key for key in keys)
    assert_each_address_keeps_its_own_budget(client, article)


REDIS_PREFIX = f"test-keys-{uuid.uuid4().hex}"


@pytest.mark.skipif(not REDIS_URL, reason="set TEST_REDIS_URL (db 15) to scan the keys in Redis")
@pytest.mark.parametrize(
    "config_overrides",
    [{**LIMITS, "RATELIMIT_STORAGE_URI": REDIS_URL or "", "RATELIMIT_KEY_PREFIX": REDIS_PREFIX}],
)
def test_no_key_in_redis_holds_the_address(app, client, article, add_comment):
    import redis

    published = add_comment(article, "Publicerad")
    hit_every_limit(client, article, published)
    connection = redis.Redis.from_url(REDIS_URL, decode_responses=True)
    try:
        keys = list(connection.scan_iter(count=1000))  # every key, whoever wrote it
        ours = [key for key in keys if REDIS_PREFIX in key]
        scopes = {part for key in ours for part in key.split("/")}
        assert {"post-comments", "new-articles", "report-comments"} <= scopes
        assert_no_address_in(ours)
        assert not [key for key in keys if ADDRESS in key]
        assert_each_address_keeps_its_own_budget(client, article)
    finally:
        for key in connection.scan_iter(match=f"*{REDIS_PREFIX}*"):
            connection.delete(key)
        connection.close()


@pytest.mark.parametrize(
    "address, same, other",
    [
        ("192.0.2.10", "::ffff:192.0.2.10", "192.0.2.11"),
        ("2001:db8::1", " 2001:db8::1 ", "2001:db8::2"),
    ],
)
def test_address_keys_are_keyed_hashes_one_per_address(address, same, other):
    assert address_key(address, secret="a") == address_key(same, secret="a")
    assert address_key(address, secret="a") != address_key(other, secret="a")
    assert address_key(address, secret="a") != address_key(address, secret="b")
    # One network, one network key; never equal to an address key.
    assert network_key(address, secret="a") == network_key(other, secret="a")
    assert network_key(address, secret="a") != address_key(address, secret="a")
    assert address not in address_key(address, secret="a")
