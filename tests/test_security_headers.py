"""Security headers: a strict CSP on every page, framing only of the iframe page and only by
the host sites, nosniff, Referrer-Policy, Permissions-Policy, HSTS and Secure cookies over
https (behind a trusted proxy that says so)."""

from __future__ import annotations

import re

import pytest

from tests.conftest import ALLOWED_ORIGIN

HTTPS = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}


def directives(response) -> dict[str, str]:
    policy = response.headers.get("Content-Security-Policy", "")
    parts = (p.strip().split(" ", 1) for p in policy.split(";") if p.strip())
    return {p[0]: (p[1] if len(p) > 1 else "") for p in parts}


@pytest.fixture
def pages(client, article):
    """Every kind of HTML page: the plain thread, the demo-less root, the login, errors."""
    return {
        "/": client.get("/"),
        "/thread": client.get("/thread", query_string={"article": article}),
        "/moderation/login": client.get("/moderation/login"),
        "404": client.get("/thread", query_string={"article": "finns-inte"}),
        "405": client.put("/thread"),
        "/embed": client.get("/embed", query_string={"article": article}),
    }


def test_every_page_runs_scripts_and_styles_from_this_service_only(pages):
    for name, r in pages.items():
        assert r.mimetype == "text/html", name
        csp = directives(r)
        assert csp["script-src"] == "'self'", name
        assert csp["style-src"] == "'self'", name
        assert csp["object-src"] == "'none'" and csp["base-uri"] == "'none'", name
        assert "unsafe" not in r.headers["Content-Security-Policy"], name
        assert r.headers["X-Content-Type-Options"] == "nosniff", name
        assert r.headers["Referrer-Policy"] == "same-origin", name
        assert "camera=()" in r.headers["Permissions-Policy"], name


def test_the_pages_have_no_inline_script_or_style_the_policy_would_block(pages):
    for name, r in pages.items():
        page = r.get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), name
        assert "<style" not in page and " style=" not in page, name
        assert not re.search(r"\son[a-z]+=", page), name


def test_only_the_iframe_page_may_be_framed_and_only_by_the_host_sites(pages):
    for name, r in pages.items():
        if name == "/embed":
            assert directives(r)["frame-ancestors"] == f"'self' {ALLOWED_ORIGIN}"
            assert "X-Frame-Options" not in r.headers
        else:
            assert directives(r)["frame-ancestors"] == "'none'", name
            assert r.headers["X-Frame-Options"] == "DENY", name


def test_the_iframes_error_pages_stay_framable_for_the_host_site(client):
    r = client.get("/embed", query_string={"article": "finns-inte"})
    assert r.status_code == 404
    assert directives(r)["frame-ancestors"] == f"'self' {ALLOWED_ORIGIN}"


def test_no_strict_transport_security_over_plain_http(client, article):
    r = client.get("/thread", query_string={"article": article})
    assert "Strict-Transport-Security" not in r.headers


@pytest.fixture
def config_overrides():
    return {"TRUSTED_PROXIES": 1}


def test_over_https_hsts_and_every_cookie_is_secure(client, reader, article):
    r = client.get("/thread", query_string={"article": article}, headers=HTTPS)
    assert r.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    token = reader.csrf_token(article)
    r = client.post(
        "/comments",
        data={
            "article": article,
            "comment": "Över https",
            "author": "Anna",
            "email": "anna@example.se",
            "url": "https://anna.example/",
            "remember": "y",
            "csrf_token": token,
        },
        headers=HTTPS,
    )
    assert r.status_code == 303
    cookies = r.headers.getlist("Set-Cookie")
    names = {c.split("=", 1)[0] for c in cookies}
    assert {"session", "commentsvc_author"} <= names
    for cookie in cookies:
        assert "; Secure" in cookie, cookie
        assert "HttpOnly" in cookie, cookie
