"""The opt-in micro-cache: anonymous public JSON reads from memory for a second or so; never a
personal answer, never longer than asked."""

import pytest

from commentsvc import create_app
from commentsvc.config import ConfigError
from commentsvc.extensions import db
from commentsvc.microcache import MicroCache


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock(app):
    """Put the micro-cache in front of the test app with a clock the test moves."""
    tick = Clock()
    app.wsgi_app = MicroCache(app.wsgi_app, 2, clock=tick)
    return tick


def read(client, article, **headers):
    return client.get("/api/v1/comments", query_string={"article": article}, headers=headers)


def authors(response):
    return [c["author"] for c in response.get_json()["comments"]]


def test_a_new_comment_reaches_anonymous_readers_when_the_kept_answer_expires(
    client, article, add_comment, clock
):
    add_comment(article, "Första", author="Anna")
    assert authors(read(client, article)) == ["Anna"]
    add_comment(article, "Andra", author="Erik", email="erik@example.se")
    clock.now += 1.9
    assert authors(read(client, article)) == ["Anna"]  # kept, within its 2 seconds
    clock.now += 0.2
    assert authors(read(client, article)) == ["Anna", "Erik"]


def test_personal_reads_always_go_to_the_service(client, article, add_comment, clock):
    add_comment(article, "Första", author="Anna")
    read(client, article)
    add_comment(article, "Andra", author="Erik", email="erik@example.se")
    assert authors(read(client, article, **{"X-Own-Comments": "x"})) == ["Anna", "Erik"]
    client.set_cookie("session", "something")
    assert authors(read(client, article)) == ["Anna", "Erik"]


def test_each_origin_gets_its_own_cors_headers(client, article, add_comment, clock):
    allowed = read(client, article, Origin="https://www.example.se")
    other = read(client, article, Origin="https://evil.example")
    again = read(client, article, Origin="https://www.example.se")
    assert allowed.headers.get("Access-Control-Allow-Origin") == "https://www.example.se"
    assert "Access-Control-Allow-Origin" not in other.headers
    assert again.headers.get("Access-Control-Allow-Origin") == "https://www.example.se"


def test_a_kept_answer_still_answers_304_to_its_etag(client, article, add_comment, clock):
    first = read(client, article)
    etag = first.headers["ETag"]
    again = client.get(
        "/api/v1/comments", query_string={"article": article}, headers={"If-None-Match": etag}
    )
    assert again.status_code == 304 and again.get_data() == b""


def test_errors_are_never_kept(client, app, clock):
    assert client.get("/api/v1/comments?article=finns-inte").status_code == 404
    from commentsvc import comments

    with app.app_context():
        comments.create_article("finns-inte", title="Nu finns den")
        db.session.commit()
    assert client.get("/api/v1/comments?article=finns-inte").status_code == 200


def test_off_unless_asked_and_never_longer_than_a_cdn_may_keep(tmp_path, monkeypatch):
    monkeypatch.setenv("COMMENTSVC_INSTANCE_PATH", str(tmp_path))
    app = create_app({"SECRET_KEY": "s", "TESTING": True})
    assert not isinstance(app.wsgi_app, MicroCache)
    app = create_app({"SECRET_KEY": "s", "TESTING": True, "MICROCACHE_SECONDS": 1})
    assert isinstance(app.wsgi_app, MicroCache)
    with pytest.raises(ConfigError, match="MICROCACHE_SECONDS"):
        create_app(
            {"SECRET_KEY": "s", "TESTING": True, "MICROCACHE_SECONDS": 60, "CACHE_MAX_AGE": 10}
        )


def test_a_compressed_answer_is_kept_only_for_readers_who_accept_it(
    client, article, add_comment, clock
):
    for n in range(8):  # a thread long enough to be compressed
        add_comment(article, f"Kommentar nummer {n} med lite text i.", author=f"Läsare {n}")
    compressed = read(client, article, **{"Accept-Encoding": "br"})
    plain = read(client, article)
    assert compressed.headers["Content-Encoding"] == "br"
    assert "Content-Encoding" not in plain.headers
    assert len(authors(plain)) == 8
