"""No answer depends on the Host header unless the cache key does, and no route reads a body
bigger than MAX_CONTENT_LENGTH."""

from __future__ import annotations

import io

import pytest

from tests.conftest import ALLOWED_ORIGIN

PUBLIC = "https://kommentarer.example.se"
EVIL = "http://evil.example"


@pytest.fixture(
    params=[{"PUBLIC_URL": PUBLIC}, {}, {"PUBLIC_URL": PUBLIC, "THREAD_CACHE_ENTRIES": 0}]
)
def config_overrides(request):
    return request.param


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/comments?article=nyhet-1",
        "/feed.atom?article=nyhet-1",
        "/feed.atom",
        "/api/v1/openapi.json",
        "/api/v1/counts?article=nyhet-1",
    ],
)
def test_a_forged_host_header_does_not_change_what_later_readers_get(
    app, client, article, add_comment, path
):
    add_comment(article, "Hej!", website="https://a.example/")
    poisoned = client.get(path, base_url=EVIL)
    assert poisoned.status_code == 200
    assert "evil.example" not in poisoned.get_data(as_text=True)
    later = client.get(path)
    body = later.get_data(as_text=True)
    assert later.status_code == 200
    assert "evil.example" not in body
    if app.config["PUBLIC_URL"] and "comments" in path:
        assert later.get_json()["comments"][0]["avatar"].startswith(f"{PUBLIC}/avatar/")
    if app.config["PUBLIC_URL"] and path.startswith("/feed"):
        assert f"<id>{PUBLIC}/feed.atom" in body


BIG = 2 * 1024 * 1024


@pytest.mark.parametrize(
    "path", ["/comments", "/embed/comments", "/moderation/login", "/comments/1/edit"]
)
def test_a_body_over_the_limit_is_refused_with_413_as_a_page(client, article, path):
    form = {"article": article, "comment": "x" * BIG, "author": "A", "email": "a@example.se"}
    own_page = {"Origin": "http://localhost"}
    r = client.post(path, data=form, headers=own_page)
    assert r.status_code == 413
    assert "Förfrågan är för stor." in r.get_data(as_text=True)
    r = client.post(
        path,
        data={**form, "file": (io.BytesIO(b"x" * BIG), "big.bin")},
        content_type="multipart/form-data",
        headers=own_page,
    )
    assert r.status_code == 413


def test_a_body_without_a_length_is_cut_off_at_the_limit(app, client, article):
    """A chunked body, as gunicorn hands it over (it marks the stream as terminated): read
    up to MAX_CONTENT_LENGTH and no further, so what arrives is a cut form and is refused."""
    stream = io.BytesIO(f"article={article}&comment=".encode() + b"x" * BIG)
    r = client.post(
        "/comments",
        input_stream=stream,
        content_type="application/x-www-form-urlencoded",
        headers={"Transfer-Encoding": "chunked"},
        environ_base={"wsgi.input_terminated": True},
    )
    assert r.status_code in (400, 413)
    assert stream.tell() <= app.config["MAX_CONTENT_LENGTH"] + 64 * 1024


def test_the_api_answers_413_in_its_error_shape(client, article):
    r = client.post(
        "/api/v1/comments",
        data=b'{"comment": "' + b"x" * BIG + b'"}',
        content_type="application/json",
        headers={"Origin": ALLOWED_ORIGIN},
    )
    assert r.status_code == 413
    assert r.get_json() == {
        "error": "request_entity_too_large",
        "message": "Förfrågan är för stor.",
    }


def test_a_body_under_the_limit_still_posts(reader, article):
    r = reader.post(article, comment="Hej " * 1000)
    assert r.status_code == 303
