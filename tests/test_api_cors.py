"""Cross-origin rules: CORS only for ALLOWED_ORIGINS, and writes from elsewhere refused."""

from __future__ import annotations

import pytest

from tests.conftest import ALLOWED_ORIGIN
from tests.test_api import new_comment, stored

EVIL = "https://evil.example"


def test_allowed_origin_gets_cors_headers(client, article):
    r = client.get(
        "/api/v1/comments", query_string={"article": article}, headers={"Origin": ALLOWED_ORIGIN}
    )
    assert r.headers["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN
    assert r.headers["Access-Control-Allow-Credentials"] == "true"
    assert "Origin" in r.headers["Vary"]


def test_other_origins_get_no_cors_headers(client, article):
    r = client.get("/api/v1/comments", query_string={"article": article}, headers={"Origin": EVIL})
    assert "Access-Control-Allow-Origin" not in r.headers
    assert "Access-Control-Allow-Credentials" not in r.headers
    assert "Origin" in r.headers["Vary"]


@pytest.mark.parametrize(
    ("origin", "allowed"), [(ALLOWED_ORIGIN, True), (EVIL, False), ("null", False)]
)
def test_preflight_passes_only_for_allowed_origins(client, origin, allowed):
    r = client.options(
        "/api/v1/comments",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    if allowed:
        assert r.headers["Access-Control-Allow-Origin"] == origin
        assert "POST" in r.headers["Access-Control-Allow-Methods"]
        assert "Content-Type" in r.headers["Access-Control-Allow-Headers"]
    else:
        assert "Access-Control-Allow-Origin" not in r.headers


@pytest.mark.parametrize("origin", [EVIL, "null", "https://www.example.se.evil.example"])
def test_post_from_an_origin_not_allowed_is_refused(app, client, article, origin):
    before = stored(app)
    r = client.post("/api/v1/comments", json=new_comment(article), headers={"Origin": origin})
    assert r.status_code == 403
    assert r.get_json()["error"] == "origin_not_allowed"
    assert r.get_json()["message"] == "Den här webbplatsen får inte skicka kommentarer hit."
    assert stored(app) == before


def test_patch_and_delete_from_an_origin_not_allowed_are_refused(app, client, article):
    created = client.post(
        "/api/v1/comments", json=new_comment(article), headers={"Origin": ALLOWED_ORIGIN}
    ).get_json()
    before = stored(app)
    token = {"X-Edit-Token": created["edit_token"], "Origin": EVIL}
    path = f"/api/v1/comments/{created['comment']['id']}"
    assert client.patch(path, json={"comment": "Ändrad"}, headers=token).status_code == 403
    assert client.delete(path, headers=token).status_code == 403
    assert stored(app) == before


def test_the_service_itself_and_clients_without_a_browser_may_post(client, article):
    own = client.post(
        "/api/v1/comments", json=new_comment(article), headers={"Origin": "http://localhost"}
    )
    assert own.status_code == 201
    script = client.post("/api/v1/comments", json=new_comment(article, comment="Från curl"))
    assert script.status_code == 201


def test_a_form_from_another_site_cannot_post_even_without_origin(app, client, article):
    """A plain HTML form can only send form encodings or text/plain, never JSON."""
    before = stored(app)
    r = client.post(
        "/api/v1/comments",
        data='{"article": "nyhet-1", "comment": "x", "author": "a", "email": "a@b.se"}',
        content_type="text/plain",
    )
    assert r.status_code == 415
    assert stored(app) == before
