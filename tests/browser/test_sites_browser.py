"""Two sites of one installation, each embedding its thread "nyhet-1", seen in Chromium: each
host page shows and posts into its own site's thread (script embed and iframe), and a page of
one site cannot frame the other site's thread."""

from __future__ import annotations

import pytest
from werkzeug.wrappers import Request, Response

from commentsvc import sites, threads
from commentsvc.extensions import db
from commentsvc.models.base import utcnow
from commentsvc.models.threads import Article, Comment
from tests.browser.conftest import LiveServer
from tests.browser.test_embed_browser import ARTICLE_PAGE, FRAMED_PAGE, expect_text

# A page of the second site that frames the FIRST site's thread by naming it.
FRAMING_THE_OTHER_SITE = """<!doctype html>
<html lang="sv"><head><meta charset="utf-8"><title>Fel webbplats</title></head><body><main>
<h1>Lånad tråd</h1>
<iframe id="commentsvc-frame" title="Kommentarer" src="{service}/embed?article=nyhet-1&site=default"
        style="width: 100%; border: 0" height="150"></iframe></main></body></html>"""


class Host:
    """A host site's static pages on its own loopback origin."""

    def __init__(self):
        self.service = ""
        self.server = LiveServer(self.wsgi)
        self.origin = f"http://localhost:{self.server.server.server_port}"

    def wsgi(self, environ, start_response):
        pages = {
            "/article": ARTICLE_PAGE,
            "/framed": FRAMED_PAGE,
            "/borrowed": FRAMING_THE_OTHER_SITE,
        }
        page = pages.get(Request(environ).path)
        if page is None:
            return Response("not found", status=404)(environ, start_response)
        html = page.format(service=self.service, host=self.origin, lang="")
        return Response(html, mimetype="text/html")(environ, start_response)


@pytest.fixture
def hosts():
    www, kultur = Host(), Host()
    with www.server, kultur.server:
        yield www, kultur


@pytest.fixture
def config_overrides(hosts):
    return {"ALLOWED_ORIGINS": [hosts[0].origin], "MODERATION": "none"}


@pytest.fixture
def two_sites(app, hosts, live_server, add_comment):
    www, kultur = hosts
    www.service = kultur.service = live_server.url
    with app.app_context():
        sites.add_site(
            "kultur", name="Kultur i Norr", origins=[kultur.origin], by="test", now=utcnow()
        )
        threads.create_article("nyhet-1", title="Nyhet på www", url=f"{www.origin}/article")
        article = threads.create_article(
            "nyhet-1", title="Nyhet i Kultur", url=f"{kultur.origin}/article", site="kultur"
        )
        db.session.commit()
        kultur_article = article.id
    add_comment("nyhet-1", "Kommentar på www")
    with app.app_context():
        draft = threads.Draft(comment="Kommentar i Kultur", author="Bo Ek", email="bo@example.se")
        threads.post_comment(
            db.session.get(Article, kultur_article), draft, ip="192.0.2.0", now=utcnow()
        )
        db.session.commit()
    return www, kultur


def site_of(app, text: str) -> str:
    with app.app_context():
        return db.session.query(Comment).filter_by(text=text).one().article.site_id


def test_each_sites_script_embed_shows_and_takes_its_own_thread(page, app, two_sites):
    www, kultur = two_sites
    page.goto(f"{kultur.origin}/article")
    thread = page.locator("#commentsvc-thread")
    expect_text(thread.locator(".comment").first, "Kommentar i Kultur")
    assert "Kommentar på www" not in thread.inner_text()
    thread.locator("#csvc-comment").fill("Skrivet hos Kultur")
    thread.locator("#csvc-author").fill("Eva Berg")
    thread.locator("#csvc-email").fill("eva@example.se")
    thread.get_by_role("button", name="Publicera kommentar").click()
    expect_text(thread.locator(".comment").last, "Skrivet hos Kultur")
    assert site_of(app, "Skrivet hos Kultur") == "kultur"
    page.goto(f"{www.origin}/article")
    thread = page.locator("#commentsvc-thread")
    expect_text(thread.locator(".comment").first, "Kommentar på www")
    assert "Kultur" not in thread.locator("ol, ul").first.inner_text()


def test_each_sites_iframe_shows_and_takes_its_own_thread(page, app, two_sites):
    www, kultur = two_sites
    page.goto(f"{kultur.origin}/framed")
    frame = page.frame_locator("#commentsvc-frame")
    expect_text(frame.locator(".comment").first, "Kommentar i Kultur")
    frame.locator("#comment").fill("Skrivet i Kulturs iframe")
    frame.locator("#author").fill("Eva Berg")
    frame.locator("#email").fill("eva@example.se")
    frame.get_by_role("button", name="Publicera kommentar").click()
    expect_text(frame.locator(".comment").last, "Skrivet i Kulturs iframe")
    assert site_of(app, "Skrivet i Kulturs iframe") == "kultur"
    page.goto(f"{www.origin}/framed")
    frame = page.frame_locator("#commentsvc-frame")
    expect_text(frame.locator(".comment").first, "Kommentar på www")
    assert frame.locator("text=Skrivet i Kulturs iframe").count() == 0


def test_a_page_of_one_site_cannot_frame_the_other_sites_thread(page, two_sites):
    _www, kultur = two_sites
    refused = []
    page.on("console", lambda message: refused.append(message.text))
    page.goto(f"{kultur.origin}/borrowed")
    page.wait_for_timeout(500)
    frame = page.frame_locator("#commentsvc-frame")
    assert frame.locator("text=Kommentar på www").count() == 0
    assert any("frame-ancestors" in text for text in refused), refused
