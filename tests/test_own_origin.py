"""Our own pages are known by PUBLIC_URL, never by the request's Host header.

Behind nginx on a port other than 443 (``https://kommentarer.example.se:8443``), a proxy that
forwards ``Host $host`` drops the port: a check that compares the browser's Referer or Origin
with Host then refuses every moderator login, and a check that trusts Host lets a request that
names its own Host pass. Each case below is a request as it arrives at gunicorn from such a
proxy (``TRUSTED_PROXIES = 1``), beside near misses that must be refused.
"""

from __future__ import annotations

import pytest

from tests.conftest import ALLOWED_ORIGIN, CSRF_INPUT

PUBLIC_URL = "https://kommentarer.example.se:8443"
PASSWORD = "rätt häst batteri häftklammer"


@pytest.fixture
def config_overrides() -> dict:
    return {"PUBLIC_URL": PUBLIC_URL, "TRUSTED_PROXIES": 1}


def proxied(host: str = "kommentarer.example.se", **headers) -> dict:
    """What nginx with ``Host $host`` forwards over https: the host without its port."""
    return {
        "Host": host,
        "X-Forwarded-For": "203.0.113.7",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": host,
        **{k.replace("_", "-"): v for k, v in headers.items() if v is not None},
    }


@pytest.fixture
def moderator(app) -> str:
    from commentsvc.extensions import db
    from commentsvc.moderation import accounts

    with app.app_context():
        accounts.create_moderator("moa", PASSWORD, role="moderator", email="", notify=False)
        db.session.commit()
    return "moa"


def log_in(client, *, host: str = "kommentarer.example.se", **headers):
    page = client.get("/moderation/login", headers=proxied(host))
    token = CSRF_INPUT.search(page.get_data(as_text=True)).group(1)
    return client.post(
        "/moderation/login",
        data={"username": "moa", "password": PASSWORD, "csrf_token": token},
        headers=proxied(host, **headers),
    )


@pytest.mark.parametrize(
    ("referer", "origin"),
    [
        (f"{PUBLIC_URL}/moderation/login", None),  # what a browser sends with same-origin
        (f"{PUBLIC_URL}/moderation/login", PUBLIC_URL),
        (None, PUBLIC_URL),  # a browser or extension that drops the Referer
        ("https://KOMMENTARER.example.se:8443/moderation/login", None),
    ],
)
def test_a_moderator_logs_in_behind_a_proxy_that_drops_the_port(client, moderator, referer, origin):
    response = log_in(client, Referer=referer, Origin=origin)
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    assert response.headers["Location"].endswith("/moderation/")
    assert client.get("/moderation/", headers=proxied()).status_code == 200


@pytest.mark.parametrize(
    ("host", "referer", "origin"),
    [
        ("kommentarer.example.se", "https://kommentarer.example.se:9443/moderation/login", None),
        ("kommentarer.example.se", "https://kommentarer.example.se/moderation/login", None),
        ("kommentarer.example.se", "http://kommentarer.example.se:8443/moderation/login", None),
        ("kommentarer.example.se", f"{PUBLIC_URL}/moderation/login", "https://evil.example"),
        ("kommentarer.example.se", None, None),
        ("kommentarer.example.se", f"{ALLOWED_ORIGIN}/", None),
        # A Host header names itself: a check against Host would let these through.
        ("evil.example", "https://evil.example/moderation/login", None),
        ("evil.example", None, "https://evil.example"),
    ],
)
def test_a_login_from_anywhere_but_our_own_address_is_refused(
    client, moderator, host, referer, origin
):
    response = log_in(client, host=host, Referer=referer, Origin=origin)
    assert response.status_code == 400
    assert client.get("/moderation/", headers=proxied()).status_code != 200


def json_comment(client, article, origin, host="kommentarer.example.se"):
    return client.post(
        "/api/v1/comments",
        json={"article": article, "comment": "Hej", "author": "Anna", "email": "a@example.se"},
        headers=proxied(host, Origin=origin),
    )


@pytest.mark.parametrize(
    ("origin", "host", "allowed"),
    [
        (PUBLIC_URL, "kommentarer.example.se", True),
        (ALLOWED_ORIGIN, "kommentarer.example.se", True),
        ("https://kommentarer.example.se", "kommentarer.example.se", False),
        ("https://evil.example", "evil.example", False),
    ],
)
def test_the_api_takes_writes_from_our_own_address_and_the_host_sites_only(
    client, article, origin, host, allowed
):
    response = json_comment(client, article, origin, host)
    assert (response.status_code == 201) == allowed, response.get_data(as_text=True)[:300]
    if not allowed:
        assert response.status_code == 403


@pytest.mark.parametrize(
    ("origin", "host", "allowed"),
    [
        (PUBLIC_URL, "kommentarer.example.se", True),
        ("https://kommentarer.example.se", "kommentarer.example.se", False),
        ("https://evil.example", "evil.example", False),
        (ALLOWED_ORIGIN, "kommentarer.example.se", False),  # the host page is not the iframe
    ],
)
def test_the_iframe_takes_posts_from_its_own_page_only(client, article, origin, host, allowed):
    response = client.post(
        "/embed/comments",
        data={"article": article, "comment": "Hej", "author": "Anna", "email": "a@example.se"},
        headers=proxied(host, Origin=origin),
    )
    assert (response.status_code == 303) == allowed, response.get_data(as_text=True)[:300]
