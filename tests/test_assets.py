"""Static files and compressed answers as a production service sends them (the wheel test,
tests/test_wheel.py, checks the same through gunicorn with the precompressed files)."""

from __future__ import annotations

import gzip
import hashlib
import re

import brotli
import pytest
from flask import url_for

import commentsvc
from commentsvc.web import assets

ONE_YEAR = "max-age=31536000, public, immutable"


def static_addresses(page: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', page)


def test_pages_link_static_files_by_content_hash_cached_a_year(client, article):
    page = client.get(f"/thread?article={article}").get_data(as_text=True)
    addresses = static_addresses(page)
    assert {a.rsplit(".", 2)[0] for a in addresses} >= {"/static/commentsvc", "/static/thread"}
    for address in addresses:
        name, digest, extension = address.removeprefix("/static/").rsplit(".", 2)
        with open(f"{assets.STATIC_DIR}/{name}.{extension}", "rb") as f:
            assert digest == hashlib.sha256(f.read()).hexdigest()[:12]
        r = client.get(address)
        assert r.status_code == 200
        assert r.headers["Cache-Control"] == ONE_YEAR


def test_an_old_or_made_up_hash_is_not_served_for_a_year(client):
    assert client.get("/static/thread.000000000000.js").status_code == 404
    plain = client.get("/static/thread.js")  # an address kept from before versioned links
    assert plain.status_code == 200
    assert plain.headers["Cache-Control"] == "max-age=300, public"


def test_in_debug_mode_flask_serves_the_files_as_they_are_on_disk(tmp_path, monkeypatch):
    monkeypatch.setenv("COMMENTSVC_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("FLASK_DEBUG", "1")
    app = commentsvc.create_app({"SECRET_KEY": "s"})
    with app.test_request_context():
        assert url_for("static", filename="thread.js") == "/static/thread.js"


def test_static_files_may_be_read_from_host_pages(client):
    r = client.get("/static/embed.css", headers={"Origin": "https://www.example.se"})
    assert r.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    ("path", "media_type"),
    [
        ("/api/v1/openapi.json", "application/json"),
        ("/embed.js", "text/javascript"),
        ("/thread?article=nyhet-1", "text/html"),
    ],
)
@pytest.mark.parametrize(
    ("accepted", "encoding", "decode"),
    [("br, gzip", "br", brotli.decompress), ("gzip", "gzip", gzip.decompress)],
)
def test_answers_are_compressed_for_readers_who_accept_it(
    client, article, path, media_type, accepted, encoding, decode
):
    plain = client.get(path)
    packed = client.get(path, headers={"Accept-Encoding": accepted})
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == encoding
    assert packed.mimetype == media_type
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert len(packed.get_data()) < len(plain.get_data()) / 2
    if path != "/thread?article=nyhet-1":  # the page carries a fresh CSRF token each time
        assert decode(packed.get_data()) == plain.get_data()


def test_the_embed_script_answers_304_to_its_compressed_etag(client):
    first = client.get("/embed.js", headers={"Accept-Encoding": "br"})
    assert first.headers["Cache-Control"] == "public, max-age=300"
    again = client.get(
        "/embed.js", headers={"Accept-Encoding": "br", "If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304


def test_an_installed_package_keeps_its_instance_folder_in_the_working_folder(
    tmp_path, monkeypatch
):
    assert commentsvc.default_instance_path() == f"{commentsvc.PROJECT_DIR}/instance"
    monkeypatch.setattr(commentsvc, "PROJECT_DIR", str(tmp_path / "site-packages"))
    monkeypatch.chdir(tmp_path)
    assert commentsvc.default_instance_path() == f"{tmp_path}/instance"
