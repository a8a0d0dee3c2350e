"""The read cache with several sites: an answer is kept per thread, and two sites' threads of
the same key are two threads. A kept answer of site a's "nyhet-1" is never served for site b's,
whichever way the request names its site (Origin, ``site=``, a Referer); a write on b's thread
leaves a's version alone; a change of a site's settings makes its kept answers fresh."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from commentsvc import moderation, sites, threads
from commentsvc.extensions import db
from commentsvc.models.base import utcnow
from commentsvc.models.threads import Article
from tests.conftest import notifications_delivered

A, B = "https://a.example.se", "https://b.example.se"
KEY = "nyhet-1"


@pytest.fixture
def two_threads(app):
    """Sites a and b, each with its own "nyhet-1": Anna wrote on a's, Bertil on b's."""
    with app.app_context():
        sites.add_site("a", name="Avisan", origins=[A], by="test", now=utcnow())
        sites.add_site("b", name="Bladet", origins=[B], by="test", now=utcnow())
        for site, author in (("a", "Anna"), ("b", "Bertil")):
            article = threads.create_article(KEY, title=f"Nyhet på {site}", site=site)
            post(article, author)
        db.session.commit()


def post(article, author: str, text: str = "Hej") -> None:
    draft = threads.Draft(comment=f"{text} från {author}", author=author, email="x@example.se")
    posted = threads.post_comment(article, draft, ip="192.0.2.0", now=utcnow())
    moderation.approve(posted.id, by="test", now=utcnow())


def authors(response) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [c["author"] for c in response.get_json()["comments"]]


def api(client, origin: str):
    return client.get("/api/v1/comments", query_string={"article": KEY}, headers={"Origin": origin})


def versions(app) -> dict[str, int]:
    with app.app_context():
        return dict(
            db.session.execute(
                select(Article.site_id, Article.version).where(Article.key == KEY)
            ).all()
        )


def test_a_kept_answer_of_one_site_is_never_served_for_the_same_key_on_another(
    app, client, two_threads, count_queries
):
    notifications_delivered()
    for _ in range(2):  # the second round is answered from memory
        assert authors(api(client, A)) == ["Anna"]
        assert authors(api(client, B)) == ["Bertil"]
    with count_queries() as q:
        assert authors(api(client, A)) == ["Anna"]
    assert q.count == 0  # kept, and kept as a's


@pytest.mark.parametrize(
    "how",
    [
        pytest.param(lambda site, origin: ({"site": site}, {}), id="site="),
        pytest.param(lambda site, origin: ({}, {"Referer": f"{origin}/nyheter/1"}), id="referer"),
    ],
)
def test_the_iframe_page_keeps_each_site_s_thread_apart(app, client, two_threads, how):
    for _ in range(2):
        for site, origin, mine, theirs in (("a", A, "Anna", "Bertil"), ("b", B, "Bertil", "Anna")):
            params, headers = how(site, origin)
            page = client.get("/embed", query_string={"article": KEY, **params}, headers=headers)
            assert page.status_code == 200
            text = page.get_data(as_text=True)
            assert f"Hej från {mine}" in text and f"Hej från {theirs}" not in text


def test_a_write_on_one_site_s_thread_leaves_the_other_s_version_and_kept_answer(
    app, client, two_threads, count_queries
):
    before = versions(app)
    assert authors(api(client, A)) == ["Anna"]
    assert authors(api(client, B)) == ["Bertil"]
    with app.app_context():
        post(threads.find_article(KEY, site="b"), "Bodil")
        db.session.commit()
    after = versions(app)
    assert after["a"] == before["a"] and after["b"] > before["b"]
    notifications_delivered()
    assert authors(api(client, B)) == ["Bertil", "Bodil"]
    with count_queries() as q:
        assert authors(api(client, A)) == ["Anna"]
    assert q.count == 0  # a's answer is still kept: its thread did not change


@pytest.mark.parametrize("change", ["update_site", "store_settings"])
def test_a_change_of_a_site_s_settings_makes_its_kept_answers_fresh(
    app, client, two_threads, change
):
    with app.app_context():
        post(threads.find_article(KEY, site="a"), "Axel")
        db.session.commit()
    notifications_delivered()
    assert authors(api(client, A)) == ["Anna", "Axel"]
    assert authors(api(client, B)) == ["Bertil"]
    before = versions(app)
    with app.app_context():
        if change == "update_site":
            sites.update_site("a", settings={"NEWEST_FIRST": True}, by="ada", now=utcnow())
        else:
            from commentsvc.sites.registry import store_settings

            store_settings("a", {"NEWEST_FIRST": True}, by="ada", now=utcnow())
        db.session.commit()
    notifications_delivered()
    assert authors(api(client, A)) == ["Axel", "Anna"]  # the kept answer was not served
    assert authors(api(client, B)) == ["Bertil"]
    assert versions(app)["b"] == before["b"]  # b's threads kept their version
