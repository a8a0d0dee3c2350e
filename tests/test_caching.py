"""Thread reads answer 304 to a reader who holds the current version, carry the right
Cache-Control, and cost the same few queries whatever the size of the thread."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from commentsvc import threads
from commentsvc.extensions import db
from commentsvc.models.base import utcnow
from commentsvc.models.threads import Comment
from tests.bulk import big_threads, bulk_thread


def open_thread(client, key, etag=None, **params):
    headers = {"If-None-Match": etag} if etag else {}
    return client.get("/thread", query_string={"article": key, **params}, headers=headers)


def test_the_thread_page_carries_an_etag_and_answers_304_when_nothing_changed(
    client, article, add_comment
):
    add_comment(article, "Första")
    first = open_thread(client, article)
    assert first.status_code == 200
    etag = first.headers["ETag"]
    assert etag.startswith('W/"')
    again = open_thread(client, article, etag)
    assert again.status_code == 304
    assert again.get_data() == b""
    assert again.headers["ETag"] == etag


def test_a_new_comment_an_edit_and_a_decision_each_make_a_new_version(
    app, client, article, add_comment
):
    first_id = add_comment(article, "Första")
    etag = open_thread(client, article).headers["ETag"]

    add_comment(article, "Andra", author="Erik", email="erik@example.se")
    r = open_thread(client, article, etag)
    assert r.status_code == 200 and "Andra" in r.get_data(as_text=True)
    etag = r.headers["ETag"]

    with app.app_context():  # an edit, whichever code path makes it, moves edited_at
        db.session.execute(
            update(Comment)
            .where(Comment.id == first_id)
            .values(html="<p>Ändrad</p>", edited_at=utcnow())
        )
        db.session.commit()
    r = open_thread(client, article, etag)
    assert r.status_code == 200 and "Ändrad" in r.get_data(as_text=True)
    etag = r.headers["ETag"]

    with app.app_context():  # a moderator takes it down
        db.session.execute(
            update(Comment)
            .where(Comment.id == first_id)
            .values(status="trash", decided_at=utcnow())
        )
        db.session.commit()
    r = open_thread(client, article, etag)
    assert r.status_code == 200 and "Ändrad" not in r.get_data(as_text=True)


def test_closing_the_thread_makes_a_new_version(app, client, article, add_comment):
    add_comment(article)
    etag = open_thread(client, article).headers["ETag"]
    with app.app_context():
        threads.create_article(article, title="SOI Mitt startar i Svealand", closed=True)
        db.session.commit()
    r = open_thread(client, article, etag)
    assert r.status_code == 200
    assert r.headers["ETag"] != etag
    assert 'id="respond"' not in r.get_data(as_text=True)


def test_a_readers_pending_comment_gives_them_their_own_private_version(
    client, make_reader, article, add_comment
):
    add_comment(article)
    anonymous_etag = open_thread(client, article).headers["ETag"]
    writer = make_reader()
    r = writer.post(article, comment="Väntar på granskning", email="ny@example.se")
    assert r.status_code == 303
    own = open_thread(writer.client, article, anonymous_etag)
    assert own.status_code == 200
    assert "Väntar på granskning" in own.get_data(as_text=True)
    assert own.headers["Cache-Control"] == "private, no-cache"
    assert own.headers["ETag"] != anonymous_etag
    # Another reader gets a fresh page too, without the comment that is not theirs to see.
    other = open_thread(client, article, anonymous_etag)
    assert "Väntar på granskning" not in other.get_data(as_text=True)


def test_the_page_is_never_shared_by_caches_because_its_form_is_the_readers_own(client, article):
    r = open_thread(client, article)
    assert r.headers["Cache-Control"] == "private, no-cache"
    assert "Cookie" in r.headers["Vary"]


def test_anonymous_json_reads_may_be_kept_by_a_cdn_for_a_few_seconds(client, article):
    # A reader's own copy is private: tests/test_api_caching.py, the author of a pending comment.
    public = client.get("/api/v1/comments", query_string={"article": article})
    assert public.headers["Cache-Control"] == "public, max-age=10, stale-while-revalidate=60"
    assert public.headers["ETag"].startswith('W/"')
    assert "Cookie" in public.headers["Vary"]


def test_a_304_costs_two_small_queries(client, article, add_comment, count_queries):
    add_comment(article)
    etag = open_thread(client, article).headers["ETag"]
    with count_queries() as q:
        assert open_thread(client, article, etag).status_code == 304
    # The article with its version, and the admins' settings (whether the thread is closed).
    assert q.count == 2, q.statements


@pytest.mark.parametrize("config_overrides", [{"THREAD_CACHE_ENTRIES": 0}])
def test_without_the_cache_a_304_costs_three_small_queries(
    client, article, add_comment, count_queries
):
    add_comment(article)
    etag = open_thread(client, article).headers["ETag"]
    with count_queries() as q:
        assert open_thread(client, article, etag).status_code == 304
    assert q.count == 3, q.statements  # the article, the settings, and the thread's summary


@pytest.mark.parametrize("config_overrides", [{"THREAD_CACHE_ENTRIES": 0}])
def test_reading_a_thread_costs_the_same_queries_at_10_1000_and_10000_comments(
    app, client, count_queries
):
    queries = {}
    for size, key in big_threads(app):
        for page in (1, 2):
            with count_queries() as q:
                r = open_thread(client, key, page=page)
            assert r.status_code == 200
            assert f"{size} kommentarer" in r.get_data(as_text=True)
            queries[size, page] = q.count
    assert len(set(queries.values())) == 1, queries
    # The article, the settings, the summary, the top-level page and their replies.
    assert queries[10, 1] == 5, queries


def test_a_thread_read_again_comes_from_the_cache_in_two_queries_at_any_size(
    app, client, make_reader, count_queries
):
    for size, key in big_threads(app):
        first = open_thread(client, key).get_data(as_text=True)
        other = make_reader().client  # another reader, no cookies: the same comments
        with count_queries() as q:
            again = open_thread(other, key).get_data(as_text=True)
        assert q.count == 2, (size, q.statements)  # the article with its version; the settings
        assert comment_list(again) == comment_list(first)


def comment_list(page: str) -> str:
    return page[page.index('<ol class="comment-list">') : page.index('<div id="respond"')]


def test_the_cache_never_serves_an_old_version_or_another_readers_pending_comment(
    app, client, make_reader, article, add_comment
):
    first = add_comment(article, "Första")
    assert "Första" in open_thread(client, article).get_data(as_text=True)
    add_comment(article, "Andra", author="Erik", email="erik@example.se")
    assert "Andra" in open_thread(client, article).get_data(as_text=True)
    with app.app_context():  # a change of one comment through the session
        db.session.get(Comment, first).html = "<p>Rättad</p>"
        db.session.commit()
    assert "Rättad" in open_thread(client, article).get_data(as_text=True)
    with app.app_context():  # a bulk change (an erasure, say) through the session
        db.session.execute(update(Comment).values(author="Borttagen"))
        db.session.commit()
    assert "Anna Lindqvist" not in open_thread(client, article).get_data(as_text=True)
    writer = make_reader()
    assert writer.post(article, comment="Min väntande", email="ny@example.se").status_code == 303
    assert "Min väntande" in open_thread(writer.client, article).get_data(as_text=True)
    assert "Min väntande" not in open_thread(client, article).get_data(as_text=True)


def test_every_kind_of_write_moves_the_threads_version(app, article, add_comment):
    def version():
        with app.app_context():
            return threads.find_article(article).version

    seen = [version()]
    bulk_thread(app, article, 5)  # a bulk insert (an import)
    seen.append(version())
    comment_id = add_comment(article)  # a post, then a moderator's approval
    seen.append(version())
    with app.app_context():
        db.session.get(Comment, comment_id).html = "<p>Ändrad</p>"  # an edit
        db.session.commit()
    seen.append(version())
    with app.app_context():
        db.session.delete(db.session.get(Comment, comment_id))  # a deletion
        db.session.commit()
    seen.append(version())
    assert seen == sorted(set(seen)), seen


def test_the_kept_page_never_carries_one_authors_edit_buttons_to_others(
    app, make_reader, article, add_comment
):
    app.config["MODERATION"] = "none"
    add_comment(article, "Någon annans")
    stranger, author = make_reader(), make_reader()
    stranger.open(article)  # the shared page is now kept
    assert author.post(article, comment="Min egen").status_code == 303
    stranger.open(article)  # kept again, at the new version
    mine = author.open(article).get_data(as_text=True)
    theirs = stranger.open(article).get_data(as_text=True)
    assert "Min egen" in mine and "Min egen" in theirs
    assert 'class="own-actions"' in mine
    assert 'class="own-actions"' not in theirs
