"""Faults: PostgreSQL unreachable or restarted while the service runs.

The service talks to PostgreSQL through a TCP forwarder on loopback that the test cuts and
restores, which looks to the service exactly like a database that stopped and came back,
while the PostgreSQL server that other tests share keeps running.
"""

from __future__ import annotations

import os
import re
import threading
import time

import pytest
from flask import Blueprint
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from commentsvc.extensions import db
from commentsvc.models.threads import Comment
from tests.conftest import CSRF_INPUT, engine_for
from tests.tcpproxy import TcpProxy

pytestmark = pytest.mark.skipif(
    os.environ.get("COMMENTSVC_TEST_ENGINE") != "postgresql",
    reason="PostgreSQL faults: run with COMMENTSVC_TEST_ENGINE=postgresql (make test-postgres)",
)


@pytest.fixture
def proxy(database_url):
    url = make_url(database_url)
    forwarder = TcpProxy((url.host or "127.0.0.1", url.port or 5432))
    yield forwarder
    forwarder.close()


@pytest.fixture
def config_overrides(proxy, database_url):
    url = make_url(database_url).set(host="127.0.0.1", port=proxy.port)
    return {"DATABASE_URL": url.render_as_string(hide_password=False)}


@pytest.fixture
def app(app):
    # Any JSON API route that meets the outage answers the same way; this one shows the JSON
    # side of the 503 with a plain read of the comments.
    probe = Blueprint("api_probe", __name__)

    @probe.get("/api/v1/probe")
    def api_probe():
        return {"comments": db.session.execute(select(Comment.id)).scalars().all()}

    app.register_blueprint(probe)
    return app


def post(client, key, token, text):
    return client.post(
        "/comments",
        data={
            "article": key,
            "comment": text,
            "author": "Anna Lindqvist",
            "email": "anna@example.se",
            "csrf_token": token,
        },
    )


def stored_texts(database_url) -> list[str]:
    """What PostgreSQL holds, read past the forwarder."""
    with engine_for(database_url) as engine, engine.connect() as connection:
        return list(connection.execute(text("SELECT text FROM comment ORDER BY id")).scalars())


def test_while_postgresql_is_unreachable_pages_answer_503_and_the_service_recovers_alone(
    client, article, proxy, database_url
):
    page = client.get("/thread", query_string={"article": article})
    token = CSRF_INPUT.search(page.get_data(as_text=True)).group(1)
    acknowledged = []
    r = post(client, article, token, "Före avbrottet")
    assert r.status_code == 303
    acknowledged.append("Före avbrottet")

    proxy.cut()

    r = client.get("/thread", query_string={"article": article})
    assert r.status_code == 503
    assert r.headers["Retry-After"] == "30"
    assert "Kommentarerna går inte att nå just nu" in r.get_data(as_text=True)
    r = client.get("/thread", query_string={"article": article, "lang": "en"})
    assert r.status_code == 503
    assert "The comments cannot be reached right now" in r.get_data(as_text=True)

    r = post(client, article, token, "Under avbrottet")
    assert r.status_code == 503  # not acknowledged: the reader is told to send it again
    assert "din text finns kvar i formuläret" in r.get_data(as_text=True)

    r = client.get("/api/v1/probe")
    assert r.status_code == 503
    assert r.get_json()["error"] == "database_unavailable"

    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.get_json() == {
        "status": "unavailable",
        "database": "unreachable",
        "reason": "connection refused",
    }

    proxy.restore()

    assert client.get("/healthz").get_json()["status"] == "ok"
    r = post(client, article, token, "Efter avbrottet")
    assert r.status_code == 303
    acknowledged.append("Efter avbrottet")
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Före avbrottet" in page and "Efter avbrottet" in page
    assert stored_texts(database_url) == acknowledged


def test_a_restart_drops_every_pooled_connection_and_the_next_request_reconnects(
    client, article, add_comment, proxy
):
    add_comment(article, "Sparad")
    for _ in range(3):  # connections in the pool, as after some traffic
        assert client.get("/thread", query_string={"article": article}).status_code == 200
    proxy.cut()  # the server goes away with the connections...
    proxy.restore()  # ...and is back before the next request
    r = client.get("/thread", query_string={"article": article})
    assert r.status_code == 200
    assert "Sparad" in r.get_data(as_text=True)


def test_the_503_page_says_nothing_about_the_database_host(client, article, proxy):
    proxy.cut()
    body = client.get("/thread", query_string={"article": article}).get_data(as_text=True)
    assert str(proxy.port) not in body
    assert not re.search(r"psycopg|OperationalError|127\.0\.0\.1", body)


def test_comments_sent_while_the_database_goes_away_are_either_stored_or_refused(
    app, article, proxy, database_url
):
    """Writers keep posting while the connection is cut and restored: every 303 was stored,
    every other answer was a 503 the reader can act on, never a 500."""
    stop = threading.Event()
    acknowledged: list[str] = []
    answers: list[int] = []
    lock = threading.Lock()

    def writer(number: int) -> None:
        client = app.test_client()
        page = client.get("/thread", query_string={"article": article})
        token = CSRF_INPUT.search(page.get_data(as_text=True)).group(1)
        n = 0
        while not stop.is_set():
            text = f"Skribent {number} nr {n}"
            status = post(client, article, token, text).status_code
            with lock:
                answers.append(status)
                if status == 303:
                    acknowledged.append(text)
            n += 1

    def after(count: int, status: int) -> None:
        """Wait (on a busy machine too) until an answer with that status comes after the
        first ``count`` answers."""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with lock:
                if status in answers[count:]:
                    return
            time.sleep(0.05)
        raise AssertionError(f"no {status} after {count} answers: {sorted(set(answers))}")

    writers = [threading.Thread(target=writer, args=(i,)) for i in range(3)]
    for w in writers:
        w.start()
    try:
        after(0, 303)
        proxy.cut()
        after(len(answers), 503)
        proxy.restore()
        after(len(answers), 303)
    finally:
        stop.set()
        for w in writers:
            w.join()

    assert set(answers) <= {303, 503}, sorted(set(answers))
    stored = stored_texts(database_url)
    assert set(acknowledged) <= set(stored)
    assert len(stored) == len(set(stored))  # nothing stored twice


def test_while_the_listening_connection_is_cut_reads_ask_the_database_and_stay_current(
    app, client, article, add_comment, proxy, database_url, tmp_path, count_queries
):
    """The worker's LISTEN connection goes through the forwarder as its pool does. While it is
    cut, a write elsewhere sends a notification nobody here hears: the reads must then ask the
    database, and go back to memory once the listener is back."""
    from commentsvc import create_app, threads
    from commentsvc.models.base import utcnow
    from tests.conftest import base_config, notifications_delivered

    def read():
        answer = client.get("/api/v1/comments", query_string={"article": article})
        assert answer.status_code == 200
        return [c["author"] for c in answer.get_json()["comments"]]

    watcher = app.wsgi_app.watcher
    watcher.retry_seconds = 3  # the window with the database back and the listener not yet
    add_comment(article, "Första", author="Anna")
    notifications_delivered()
    read()
    with count_queries() as q:
        assert read() == ["Anna"]
    assert q.count == 0

    proxy.cut()
    for _ in range(100):
        if watcher.generation() is None:
            break
        time.sleep(0.05)
    assert watcher.generation() is None
    away = client.get("/api/v1/comments", query_string={"article": article})
    assert away.status_code == 503  # not the kept answer: it may be old by now
    assert away.get_json()["error"] == "database_unavailable"
    proxy.restore()
    # Another worker, straight to PostgreSQL: its NOTIFY reaches no listener of ours.
    (tmp_path / "other").mkdir()
    other = create_app({**base_config(database_url, tmp_path / "other"), "MODERATION": "none"})
    with other.app_context():
        draft = threads.Draft(comment="Under avbrottet", author="Bo", email="bo@example.se")
        threads.post_comment(threads.find_article(article), draft, ip="127.0.0.0", now=utcnow())
        db.session.commit()
        db.engine.dispose()
    with count_queries() as q:
        assert read() == ["Anna", "Bo"]
    assert q.count > 0  # asked, as the listener is not back yet
    for _ in range(200):  # the listener comes back: the reads go back to memory
        if watcher.generation() is not None:
            break
        time.sleep(0.05)
    assert read() == ["Anna", "Bo"]
    with count_queries() as q:
        assert read() == ["Anna", "Bo"]
    assert q.count == 0
