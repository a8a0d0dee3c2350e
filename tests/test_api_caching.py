"""The JSON thread read is cached as the plain page is: an ETag and 304, ``public`` caching
for what every reader sees alike (a CDN may keep it), ``private`` for a reader with their own
pending comments, an answer kept per worker while the thread keeps its version (readcache.py),
and a fixed number of queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from commentsvc import threads
from commentsvc.extensions import db
from commentsvc.models.base import utcnow
from commentsvc.models.threads import Comment
from commentsvc.threads import antispam
from tests.bulk import big_threads
from tests.conftest import ALLOWED_ORIGIN, notifications_delivered

HOST = {"Origin": ALLOWED_ORIGIN}


def read(client, key, etag=None, own=None, **params):
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if own:
        headers["X-Own-Comments"] = " ".join(own)
    return client.get("/api/v1/comments", query_string={"article": key, **params}, headers=headers)


def post(client, key, text, **fields):
    body = {"article": key, "comment": text, "author": "Ny", "email": "ny@example.se"}
    return client.post("/api/v1/comments", json={**body, **fields}, headers=HOST)


def texts(response) -> list[str]:
    found = []

    def walk(nodes):
        for node in nodes:
            found.append(node["html"])
            walk(node["replies"])

    walk(response.get_json()["comments"])
    return found


def test_an_anonymous_read_has_an_etag_public_caching_and_answers_304(client, article, add_comment):
    add_comment(article, "Första")
    first = read(client, article)
    assert first.status_code == 200
    assert first.headers["Cache-Control"] == "public, max-age=10, stale-while-revalidate=60"
    assert first.headers["ETag"].startswith('W/"')
    # A shared cache must keep a separate copy for readers who send their edit tokens.
    assert "X-Own-Comments" in first.headers["Vary"]
    again = read(client, article, first.headers["ETag"])
    assert again.status_code == 304
    assert again.get_data() == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Cache-Control"] == first.headers["Cache-Control"]


def test_the_body_is_the_same_for_every_anonymous_reader_so_a_cdn_may_share_it(
    app, client, article, add_comment
):
    add_comment(article, "Första")
    one = read(client, article)
    other = read(app.test_client(), article)
    assert one.get_data() == other.get_data()
    assert "ts" not in one.get_json()["form"]  # no stamp that would age in a shared copy


def test_every_write_makes_a_new_version_and_the_kept_body_is_never_stale(
    app, client, article, add_comment
):
    first = add_comment(article, "Första")
    r = read(client, article)
    etag = r.headers["ETag"]
    add_comment(article, "Andra", author="Erik", email="erik@example.se")
    r = read(client, article, etag)
    assert r.status_code == 200 and texts(r) == ["<p>Första</p>", "<p>Andra</p>"]
    etag = r.headers["ETag"]
    with app.app_context():  # an edit
        db.session.get(Comment, first).html = "<p>Rättad</p>"
        db.session.commit()
    r = read(client, article, etag)
    assert r.status_code == 200 and texts(r)[0] == "<p>Rättad</p>"
    etag = r.headers["ETag"]
    with app.app_context():  # a moderator takes it down
        db.session.execute(update(Comment).where(Comment.id == first).values(status="trash"))
        db.session.commit()
    r = read(client, article, etag)
    assert r.status_code == 200 and texts(r) == ["<p>Andra</p>"]
    assert r.get_json()["count"] == 1


def test_closing_the_thread_or_another_language_is_another_copy(app, client, article):
    r = read(client, article)
    assert read(client, article, r.headers["ETag"], lang="en").status_code == 200
    assert read(client, article, lang="en").get_json()["lang"] == "en"
    with app.app_context():
        threads.create_article(article, title="SOI Mitt startar i Svealand", closed=True)
        db.session.commit()
    closed = read(client, article, r.headers["ETag"])
    assert closed.status_code == 200
    assert closed.get_json()["article"]["closed"] is True


@pytest.mark.parametrize("config_overrides", [{"MODERATION": "all"}])
def test_the_author_of_a_pending_comment_gets_a_private_copy_and_nobody_else_sees_it(
    app, client, article, add_comment
):
    add_comment(article, "Publicerad")
    anonymous = read(client, article)
    posted = post(client, article, "Min väntande").get_json()
    assert posted["pending"] is True
    token = posted["edit_token"]

    mine = read(client, article, anonymous.headers["ETag"], own=[token])
    assert mine.status_code == 200
    assert mine.headers["Cache-Control"] == "private, no-cache"
    assert "<p>Min väntande</p>" in texts(mine)
    assert mine.headers["ETag"] != anonymous.headers["ETag"]
    # The author's copy is not kept for others: they get the public one.
    other = read(app.test_client(), article)
    assert texts(other) == ["<p>Publicerad</p>"]
    assert other.headers["Cache-Control"].startswith("public")
    # The author's own 304 is private too.
    again = read(client, article, mine.headers["ETag"], own=[token])
    assert again.status_code == 304
    assert again.headers["Cache-Control"] == "private, no-cache"
    # A forged token is nobody's: the public copy.
    forged = read(client, article, own=[token[:-2] + "xx"])
    assert forged.headers["Cache-Control"].startswith("public")
    assert texts(forged) == ["<p>Publicerad</p>"]


def test_the_stamp_comes_fresh_from_its_own_endpoint_and_the_time_trap_still_works(
    app, client, article
):
    ts = client.get("/api/v1/stamp").get_json()["ts"]
    with app.app_context():
        age = antispam.stamp_age(ts, utcnow())
    assert age is not None and 0 <= age < 5
    with app.app_context():  # a form shown 20 s ago passes the time-trap
        old = antispam.issue_stamp(utcnow() - timedelta(seconds=20))
    app.config["MIN_SUBMIT_SECONDS"] = 3
    app.config["MODERATION"] = "none"
    assert post(client, article, "Skriven i lugn och ro", ts=old).get_json()["pending"] is False
    # Sent at once with a fresh stamp: held as too fast.
    fast = post(client, article, "Direkt", ts=ts, author="Bot", email="bot@example.se")
    assert fast.get_json()["pending"] is True


@pytest.mark.parametrize("config_overrides", [{"THREAD_CACHE_ENTRIES": 0}])
def test_a_json_read_costs_the_same_queries_at_10_1000_and_10000_comments(
    app, client, count_queries
):
    queries = {}
    for size, key in big_threads(app):
        for page in (1, 2):
            with count_queries() as q:
                r = read(client, key, page=page)
            assert r.status_code == 200
            assert r.get_json()["count"] == size
            assert r.get_json()["page"] == (1 if size == 10 else page)  # 10: one page
            queries[size, page] = q.count
    assert len(set(queries.values())) == 1, queries
    # The article, the settings, the summary, the top-level page and their replies.
    assert queries[10, 1] == 5, queries


def test_a_json_read_again_is_answered_from_memory_without_a_query_at_any_size(
    app, client, count_queries
):
    for size, key in big_threads(app):
        notifications_delivered()
        first = read(client, key)
        with count_queries() as q:
            again = read(app.test_client(), key)
            not_modified = read(client, key, first.headers["ETag"])
        assert q.count == 0, (size, q.statements)
        assert again.get_data() == first.get_data()
        assert not_modified.status_code == 304
        assert not_modified.headers["ETag"] == first.headers["ETag"]


def test_counts_for_100_articles_are_one_query(app, client, add_comment, count_queries):
    keys = [f"nyhet-{n}" for n in range(100)]
    with app.app_context():
        for key in keys[:50]:
            threads.create_article(key, title=key)
        db.session.commit()
    for key in keys[:3]:
        add_comment(key, f"Om {key}")
    add_comment(keys[0], "Väntar", approve=False, author="Ny", email="ny@example.se")
    with count_queries() as q:
        r = client.get("/api/v1/counts", query_string={"article": keys})
    assert r.status_code == 200
    assert q.count == 1, q.statements
    assert r.headers["Cache-Control"] == "public, max-age=10, stale-while-revalidate=60"
    counts = r.get_json()["counts"]
    assert len(counts) == 100
    assert counts["nyhet-0"] == counts["nyhet-1"] == 1  # the pending one does not count
    assert counts["nyhet-3"] == 0 and counts["nyhet-99"] == 0


def test_counts_asked_fresh_are_never_cached(client, article, add_comment):
    add_comment(article)
    shared = client.get(f"/api/v1/counts?article={article}")
    assert "public" in shared.headers["Cache-Control"]
    fresh = client.get(f"/api/v1/counts?article={article}&fresh=1764500000000")
    assert fresh.headers["Cache-Control"] == "no-store"
    assert fresh.get_json() == {"counts": {article: 1}}
