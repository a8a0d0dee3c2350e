"""Anonymous reads answered from memory (readcache.py): no query for a repeated read, and never
stale: a write through another worker (here: another app with its own engine and connections,
as a second gunicorn worker has), a moderator's decision or an admin's setting shows on the
next read. Personal reads, errors and other origins never get another reader's answer."""

from __future__ import annotations

import os
import time
from datetime import timedelta

import pytest
from sqlalchemy import update

from commentsvc import create_app, moderation, settings
from commentsvc.extensions import db
from commentsvc.models.base import utcnow
from commentsvc.models.threads import Article
from tests.conftest import ALLOWED_ORIGIN, base_config, notifications_delivered

ON_POSTGRES = os.environ.get("COMMENTSVC_TEST_ENGINE") == "postgresql"


def read(client, key, **headers):
    return client.get("/api/v1/comments", query_string={"article": key}, headers=headers)


def frame(client, key, **params):
    return client.get("/embed", query_string={"article": key, **params})


def authors(response) -> list[str]:
    return [c["author"] for c in response.get_json()["comments"]]


@pytest.fixture
def other_worker(database_url, tmp_path):
    """Another worker of the service: its own app, engine and connections on the database."""
    (tmp_path / "other").mkdir()
    app = create_app({**base_config(database_url, tmp_path / "other"), "MODERATION": "none"})
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def eventually(check, seconds: float = 2.0):
    """On SQLite the next read must be current at once; PostgreSQL's notification reaches the
    other workers a few milliseconds after the commit (bench/RESULTS.md measures the bound)."""
    deadline = time.monotonic() + (seconds if ON_POSTGRES else 0)
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.005)


def test_a_repeated_anonymous_read_costs_no_query_on_the_json_the_iframe_and_the_counts(
    client, article, add_comment, count_queries
):
    add_comment(article, "Första", author="Anna")
    paths = [
        ("/api/v1/comments", {"article": article}),
        ("/embed", {"article": article}),
        ("/api/v1/counts", {"article": [article, "finns-inte"]}),
    ]
    notifications_delivered()
    first = [client.get(path, query_string=q) for path, q in paths]
    with count_queries() as q:
        again = [client.get(path, query_string=q) for path, q in paths]
    assert q.count == 0, q.statements
    assert [r.status_code for r in again] == [200, 200, 200]
    assert again[0].get_data() == first[0].get_data()
    assert again[2].get_json() == {"counts": {article: 1, "finns-inte": 0}}
    assert "Första" in again[1].get_data(as_text=True)


def test_personal_reads_always_go_to_the_service(client, article, add_comment, count_queries):
    add_comment(article, "Första", author="Anna")
    read(client, article)
    for personal in ({"X-Own-Comments": "token"}, {"Authorization": "Bearer x"}):
        with count_queries() as q:
            assert read(client, article, **personal).status_code == 200
        assert q.count > 0, personal
    client.set_cookie("remember", "Anna")  # any cookie of ours: a reader we may know
    with count_queries() as q:
        assert read(client, article).status_code == 200
    assert q.count > 0
    client.delete_cookie("remember")
    with count_queries() as q:  # the iframe of an author, with tokens in its address
        frame(client, article, own="token")
        frame(client, article, own="token")
    assert q.count > 2


def test_a_write_through_another_worker_shows_on_the_next_read_and_other_threads_stay_kept(
    app, client, article, add_comment, other_worker, count_queries
):
    from commentsvc import threads

    add_comment(article, "Första", author="Anna")
    with app.app_context():
        threads.create_article("granne", title="Grannen")
        db.session.commit()
    neighbour = read(client, "granne")
    assert authors(read(client, article)) == ["Anna"]
    with other_worker.app_context():
        thread = threads.find_article(article)
        draft = threads.Draft(comment="Andra", author="Bo", email="bo@example.se")
        threads.post_comment(thread, draft, ip="127.0.0.0", now=utcnow())
        db.session.commit()
    assert eventually(lambda: authors(read(client, article)) == ["Anna", "Bo"])
    notifications_delivered()
    read(client, article)  # asks once for the version map, after the other worker's write
    with count_queries() as q:
        assert read(client, "granne").get_data() == neighbour.get_data()
        assert authors(read(client, article)) == ["Anna", "Bo"]
    assert q.count == 0, q.statements


def test_a_decision_and_a_setting_made_elsewhere_show_on_the_next_read(
    client, article, add_comment, other_worker
):
    held = add_comment(article, "Väntar", author="Cecilia", approve=False)
    add_comment(article, "Första", author="Anna")
    assert authors(read(client, article)) == ["Anna"]
    with other_worker.app_context():
        moderation.approve(held, by="moderator@example.se", now=utcnow())
        db.session.commit()
    assert eventually(lambda: "Cecilia" in authors(read(client, article)))
    assert read(client, article).get_json()["article"]["closed"] is False
    with other_worker.app_context():
        db.session.execute(
            update(Article).values(created_at=utcnow() - timedelta(days=40))
        )  # an old article: bumps every version, as docs/operating.md tells raw SQL to
        settings.save_settings({"CLOSE_AFTER_DAYS": 30}, by="admin@example.se", now=utcnow())
        db.session.commit()
    assert eventually(lambda: read(client, article).get_json()["article"]["closed"] is True)


def test_a_thread_that_closes_by_age_shows_closed_from_that_moment(app, client, article):
    with app.app_context():
        settings.save_settings({"CLOSE_AFTER_DAYS": 1}, by="admin@example.se", now=utcnow())
        db.session.execute(
            update(Article).values(created_at=utcnow() - timedelta(days=1) + timedelta(seconds=1))
        )
        db.session.commit()
    assert read(client, article).get_json()["article"]["closed"] is False
    time.sleep(1.2)
    assert read(client, article).get_json()["article"]["closed"] is True


def test_the_iframe_pages_form_stamp_is_at_most_a_second_old(app, client, article, count_queries):
    notifications_delivered()
    frame(client, article)
    with count_queries() as q:
        frame(client, article)
    assert q.count == 0
    time.sleep(1.1)
    with count_queries() as q:
        page = frame(client, article)
    assert q.count > 0  # made again, with a new stamp
    assert page.status_code == 200


def test_each_origin_gets_its_own_cors_headers_and_a_kept_answer_still_answers_304(
    client, article, add_comment
):
    add_comment(article, "Första", author="Anna")
    plain = read(client, article)
    host = read(client, article, Origin=ALLOWED_ORIGIN)
    evil = read(client, article, Origin="https://evil.example")
    assert "Access-Control-Allow-Origin" not in plain.headers
    assert host.headers["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN
    assert "Access-Control-Allow-Origin" not in evil.headers
    again = read(client, article, Origin=ALLOWED_ORIGIN)
    assert again.headers["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN
    not_modified = read(client, article, **{"If-None-Match": plain.headers["ETag"]})
    assert not_modified.status_code == 304
    assert not_modified.get_data() == b""


def test_errors_are_never_kept(app, client):
    from commentsvc import threads

    assert read(client, "kommer-snart").status_code == 404
    with app.app_context():
        threads.create_article("kommer-snart", title="Snart")
        db.session.commit()
    assert read(client, "kommer-snart").status_code == 200


def test_a_compressed_answer_is_kept_only_for_readers_who_accept_it(client, article, add_comment):
    for n in range(30):  # a body worth compressing
        add_comment(article, f"Kommentar nummer {n} med lite text", author=f"Läsare {n}")
    packed = read(client, article, **{"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip"
    plain = read(client, article)
    assert "Content-Encoding" not in plain.headers
    assert "Läsare 29" in authors(plain)
    assert read(client, article, **{"Accept-Encoding": "gzip"}).get_data() == packed.get_data()


def test_when_the_database_cannot_be_watched_every_read_asks_it(
    app, client, article, add_comment, count_queries
):
    class Blind:
        def generation(self):
            return None  # as while PostgreSQL's listening connection is lost

    app.wsgi_app.watcher = Blind()
    add_comment(article, "Första", author="Anna")
    read(client, article)
    with count_queries() as q:
        assert authors(read(client, article)) == ["Anna"]
    assert q.count > 0


def test_the_kept_answers_stay_within_their_memory_budget(
    app, client, article, add_comment, count_queries
):
    from commentsvc import threads

    with app.app_context():
        threads.create_article("granne", title="Grannen")
        db.session.commit()
    add_comment(article, "Första", author="Anna")
    notifications_delivered()
    first = read(client, article)
    app.wsgi_app.store.max_bytes = len(first.get_data()) + 100  # room for one answer
    read(client, "granne")  # kept; the first answer goes to make room
    with count_queries() as q:
        read(client, "granne")
    assert q.count == 0
    with count_queries() as q:
        assert authors(read(client, article)) == ["Anna"]
    assert q.count > 0


@pytest.mark.parametrize("config_overrides", [{"THREAD_CACHE_ENTRIES": 6}])
def test_one_store_holds_answers_and_page_parts_within_its_entries(
    app, client, article, add_comment
):
    from commentsvc import threads

    with app.app_context():
        for n in range(8):
            threads.create_article(f"nyhet-{n}", title=f"Nyhet {n}")
        db.session.commit()
    add_comment(article, "Första", author="Anna")
    store = app.extensions["commentsvc_memory"]
    assert app.wsgi_app.store is store  # the read cache keeps its answers in the same store
    for n in range(8):
        assert read(client, f"nyhet-{n}").status_code == 200
        assert frame(client, f"nyhet-{n}").status_code == 200
        assert client.get("/thread", query_string={"article": f"nyhet-{n}"}).status_code == 200
        assert len(store) <= 6
    # What was pushed out is read again, and is right.
    assert authors(read(client, article)) == ["Anna"]
    assert "Första" in client.get("/thread", query_string={"article": article}).get_data(True)


def test_a_rendered_comment_list_counts_its_bytes_in_the_budget(app, client, article, add_comment):
    for n in range(30):
        add_comment(article, f"Kommentar nummer {n} " + "text " * 40, author=f"Läsare {n}")
    store = app.extensions["commentsvc_memory"]
    store.max_bytes = 4000  # less than the rendered list of these 30 comments
    for _ in range(2):
        page = client.get("/thread", query_string={"article": article}).get_data(as_text=True)
        assert "Kommentar nummer 29" in page
        assert store.bytes <= 4000
