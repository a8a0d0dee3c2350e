"""Two sites in one installation, as their readers meet them: each host page reaches its own
site's threads (the same article key on both is two threads), by the API, the script embed,
the iframe, the plain page, counts and feeds; a page of one site never reaches the other's."""

from __future__ import annotations

import re

import pytest

from commentsvc import sites, threads
from commentsvc.extensions import db
from commentsvc.models.base import utcnow
from commentsvc.models.threads import Article, Comment, CommentStatus
from tests.conftest import ALLOWED_ORIGIN

KULTUR = "https://kultur.example.se"
KEY = "nyhet-1"


def post_on(app, site: str, key: str, text: str, **fields) -> int:
    """A comment through the service on ``site``'s thread ``key``, published."""
    from commentsvc import moderation

    with app.app_context():
        article = threads.find_article(key, site=site)
        draft = threads.Draft(
            comment=text,
            author=fields.get("author", "Anna Lindqvist"),
            email=fields.get("email", "anna@example.se"),
        )
        comment = threads.post_comment(article, draft, ip="192.0.2.0", now=utcnow())
        if comment.status != CommentStatus.APPROVED:
            moderation.approve(comment.id, by="test", now=utcnow())
        db.session.commit()
        return comment.id


@pytest.fixture
def two_sites(app):
    """The default site (www.example.se, from ALLOWED_ORIGINS) and "kultur", each with a
    thread "nyhet-1" and one comment of its own."""
    with app.app_context():
        sites.add_site("kultur", name="Kultur i Norr", origins=[KULTUR], by="test", now=utcnow())
        threads.create_article(KEY, title="Nyhet på www", url=f"{ALLOWED_ORIGIN}/1")
        threads.create_article(KEY, title="Nyhet i Kultur", url=f"{KULTUR}/1", site="kultur")
        db.session.commit()
    return {
        "default": post_on(app, "default", KEY, "Kommentar på www"),
        "kultur": post_on(app, "kultur", KEY, "Kommentar i Kultur"),
    }


def texts(body: dict) -> list[str]:
    return [re.sub(r"<[^>]+>", "", c["html"]).strip() for c in body["comments"]]


@pytest.mark.parametrize(
    ("origin", "site", "text", "other"),
    [
        (ALLOWED_ORIGIN, "default", "Kommentar på www", "Kommentar i Kultur"),
        (KULTUR, "kultur", "Kommentar i Kultur", "Kommentar på www"),
    ],
)
def test_the_api_reads_the_thread_of_the_site_that_owns_the_origin(
    client, two_sites, origin, site, text, other
):
    r = client.get("/api/v1/comments", query_string={"article": KEY}, headers={"Origin": origin})
    assert r.status_code == 200
    body = r.get_json()
    assert texts(body) == [text]
    assert other not in r.get_data(as_text=True)
    assert body["article"]["site"] == site
    assert r.headers["Access-Control-Allow-Origin"] == origin


def test_a_host_page_cannot_name_another_site(app, client, two_sites):
    r = client.get(
        "/api/v1/comments",
        query_string={"article": KEY, "site": "default"},
        headers={"Origin": KULTUR},
    )
    assert r.status_code == 403
    assert "Kommentar på www" not in r.get_data(as_text=True)
    posted = client.post(
        "/api/v1/comments?site=default",
        json={"article": KEY, "comment": "Fel ställe", "author": "Eva", "email": "eva@example.se"},
        headers={"Origin": KULTUR},
    )
    assert posted.status_code == 403
    with app.app_context():
        assert db.session.query(Comment).filter_by(text="Fel ställe").count() == 0
    # Naming its own site is fine.
    own = client.get(
        "/api/v1/comments",
        query_string={"article": KEY, "site": "kultur"},
        headers={"Origin": KULTUR},
    )
    assert texts(own.get_json()) == ["Kommentar i Kultur"]


def test_a_comment_posted_from_a_site_lands_in_that_sites_thread(app, client, two_sites):
    r = client.post(
        "/api/v1/comments",
        json={"article": KEY, "comment": "Ny i Kultur", "author": "Eva", "email": "eva@example.se"},
        headers={"Origin": KULTUR},
    )
    assert r.status_code == 201, r.get_json()
    with app.app_context():
        comment = db.session.get(Comment, r.get_json()["comment"]["id"])
        assert comment.article.site_id == "kultur"
    www = client.get(
        "/api/v1/comments", query_string={"article": KEY}, headers={"Origin": ALLOWED_ORIGIN}
    )
    assert "Ny i Kultur" not in www.get_data(as_text=True)


def test_a_thread_opened_on_first_use_belongs_to_the_origins_site_and_lies_on_it(
    app, client, two_sites
):
    r = client.get(
        "/api/v1/comments",
        query_string={"article": "ny-artikel", "title": "Ny", "url": f"{KULTUR}/ny"},
        headers={"Origin": KULTUR},
    )
    assert r.status_code == 200
    # An address on the other site's origin is not this site's article.
    wrong = client.get(
        "/api/v1/comments",
        query_string={"article": "annan", "title": "Annan", "url": f"{ALLOWED_ORIGIN}/annan"},
        headers={"Origin": KULTUR},
    )
    assert wrong.status_code == 422
    with app.app_context():
        rows = (
            db.session.query(Article.site_id, Article.key)
            .filter(Article.key.in_(["ny-artikel", "annan"]))
            .all()
        )
    assert rows == [("kultur", "ny-artikel")]


def test_an_unknown_site_is_a_clear_404(client, two_sites):
    r = client.get("/api/v1/comments", query_string={"article": KEY, "site": "finns-inte"})
    assert r.status_code == 404
    assert r.get_json()["error"] == "site_not_found"
    page = client.get("/thread", query_string={"article": KEY, "site": "finns-inte"})
    assert page.status_code == 404
    assert "finns-inte" in page.get_data(as_text=True)


def test_counts_are_per_site(client, two_sites, app):
    post_on(app, "kultur", KEY, "Andra i Kultur")
    www = client.get(
        "/api/v1/counts", query_string={"article": KEY}, headers={"Origin": ALLOWED_ORIGIN}
    )
    kultur = client.get("/api/v1/counts", query_string={"article": KEY}, headers={"Origin": KULTUR})
    assert www.get_json()["counts"] == {KEY: 1}
    assert kultur.get_json()["counts"] == {KEY: 2}


def test_the_plain_page_of_a_site_links_within_that_site(client, two_sites):
    page = client.get("/thread", query_string={"article": KEY, "site": "kultur"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Kommentar i Kultur" in html and "Kommentar på www" not in html
    # The form posts to the site's thread, and the reply links stay on the site.
    action = re.search(
        r'<form[^>]*action="([^"]*)"[^>]*method="post"|<form[^>]*method="post"[^>]*action="([^"]*)"',
        html,
    )
    assert action and "site=kultur" in (action.group(1) or action.group(2))
    replies = re.findall(r'href="([^"]*replytocom[^"]*)"', html)
    assert replies and all("site=kultur" in link for link in replies)
    # The default site's page carries no site at all.
    www = client.get("/thread", query_string={"article": KEY}).get_data(as_text=True)
    assert "Kommentar på www" in www and "site=" not in www


def test_a_reader_of_the_plain_page_posts_into_the_sites_thread(app, make_reader, two_sites):
    reader = make_reader()
    token = re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"',
        reader.client.get("/thread", query_string={"article": KEY, "site": "kultur"}).get_data(
            as_text=True
        ),
    ).group(1)
    r = reader.client.post(
        "/comments?site=kultur",
        data={
            "article": KEY,
            "comment": "Från sidan",
            "author": "Eva",
            "email": "eva@example.se",
            "csrf_token": token,
        },
    )
    assert r.status_code == 303
    assert "site=kultur" in r.headers["Location"]
    with app.app_context():
        comment = db.session.query(Comment).filter_by(text="Från sidan").one()
        assert comment.article.site_id == "kultur"


def test_the_iframe_may_be_framed_only_by_its_own_sites_pages(client, two_sites):
    kultur = client.get("/embed", query_string={"article": KEY, "site": "kultur"})
    policy = kultur.headers["Content-Security-Policy"]
    ancestors = re.search(r"frame-ancestors ([^;]*)", policy).group(1).split()
    assert KULTUR in ancestors and ALLOWED_ORIGIN not in ancestors
    assert "Kommentar i Kultur" in kultur.get_data(as_text=True)
    www = client.get("/embed", query_string={"article": KEY})
    ancestors = (
        re.search(r"frame-ancestors ([^;]*)", www.headers["Content-Security-Policy"])
        .group(1)
        .split()
    )
    assert ALLOWED_ORIGIN in ancestors and KULTUR not in ancestors


def test_an_iframe_without_site_is_the_referring_sites(client, two_sites):
    """The iframe's page gets no Origin: the Referer's origin tells, and a kept answer for one
    site's page is never given to the other's (same address, same key)."""
    for _ in range(2):  # the second read of each may come from the worker's memory
        kultur = client.get(
            "/embed", query_string={"article": KEY}, headers={"Referer": f"{KULTUR}/1"}
        )
        www = client.get(
            "/embed", query_string={"article": KEY}, headers={"Referer": f"{ALLOWED_ORIGIN}/1"}
        )
        assert "Kommentar i Kultur" in kultur.get_data(as_text=True)
        assert "Kommentar på www" not in kultur.get_data(as_text=True)
        assert "Kommentar på www" in www.get_data(as_text=True)


def test_the_site_feed_lists_only_its_own_comments(client, two_sites):
    kultur = client.get("/feed.atom", query_string={"site": "kultur"}).get_data(as_text=True)
    www = client.get("/feed.atom").get_data(as_text=True)
    assert "Kommentar i Kultur" in kultur and "Kommentar på www" not in kultur
    assert "Kommentar på www" in www and "Kommentar i Kultur" not in www
    one = client.get("/feed.atom", query_string={"article": KEY, "site": "kultur"}).get_data(
        as_text=True
    )
    assert "Kommentar i Kultur" in one and "Kommentar på www" not in one


def test_a_comment_of_one_site_is_not_found_from_the_other_sites_pages(client, two_sites):
    """Routes about one comment are for its site: another site's page gets 404."""
    theirs = two_sites["default"]
    r = client.post(
        f"/api/v1/comments/{theirs}/reports",
        json={"reason": "spam"},
        headers={"Origin": KULTUR},
    )
    assert r.status_code == 404
    own = client.post(
        f"/api/v1/comments/{two_sites['kultur']}/reports",
        json={"reason": "spam"},
        headers={"Origin": KULTUR},
    )
    assert own.status_code in (201, 202), own.get_json()


@pytest.mark.parametrize("config_overrides", [{"MODERATION": "none"}])
def test_a_sites_own_settings_rule_its_threads_only(app, client, two_sites):
    with app.app_context():
        sites.update_site(
            "kultur", settings={"MODERATION": "all", "LANGUAGE": "en"}, by="test", now=utcnow()
        )
        db.session.commit()
    body = {
        "article": KEY,
        "comment": "Väntar den?",
        "author": "Ny Person",
        "email": "ny@example.se",
    }
    kultur = client.post("/api/v1/comments", json=body, headers={"Origin": KULTUR})
    www = client.post("/api/v1/comments", json=body, headers={"Origin": ALLOWED_ORIGIN})
    assert kultur.get_json()["pending"] is True
    assert www.get_json()["pending"] is False  # MODERATION none in the default site's config
    page = client.get("/thread", query_string={"article": KEY, "site": "kultur"}).get_data(
        as_text=True
    )
    assert 'lang="en"' in page
    assert 'lang="sv"' in client.get("/thread", query_string={"article": KEY}).get_data(
        as_text=True
    )


def test_a_site_setting_reaches_kept_answers_at_once(app, client, two_sites):
    first = client.get(
        "/api/v1/comments", query_string={"article": KEY}, headers={"Origin": KULTUR}
    )
    assert first.get_json()["lang"] == "sv"
    with app.app_context():
        sites.update_site("kultur", settings={"LANGUAGE": "en"}, by="test", now=utcnow())
        db.session.commit()
    again = client.get(
        "/api/v1/comments", query_string={"article": KEY}, headers={"Origin": KULTUR}
    )
    assert again.get_json()["lang"] == "en"
    www = client.get(
        "/api/v1/comments", query_string={"article": KEY}, headers={"Origin": ALLOWED_ORIGIN}
    )
    assert www.get_json()["lang"] == "sv"
