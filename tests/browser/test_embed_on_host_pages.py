"""The embed on host pages, seen in Chromium: invalid fields that look invalid, the iframe
author who keeps their pending comment after a reload, fresh counts after a post, one time
format, the error summary that goes when "Svara" is clicked, a host page with a strict CSP."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from werkzeug.wrappers import Request, Response

from tests.browser.conftest import LiveServer
from tests.browser.test_embed_browser import ARTICLE_PAGE, FRAMED_PAGE, FRONT_PAGE, expect_text

# The iframe with the snippet of docs/embedding.md: the height, and the reader's tokens kept
# by the host.
FRAMED_KEEPING_PAGE = """<!doctype html>
<html lang="sv"><head><meta charset="utf-8"><title>I en iframe</title></head><body><main>
<h1>SOI Mitt startar i Svealand</h1>
<iframe id="commentsvc-frame" title="Kommentarer" src="{service}/embed?article=nyhet-1"
        style="width: 100%; border: 0" height="150"></iframe>
<script>
  (function () {{
    var service = "{service}", frame = document.getElementById("commentsvc-frame");
    addEventListener("message", function (e) {{
      if (e.origin !== service || e.source !== frame.contentWindow || !e.data) return;
      if (e.data.commentsvc === "height") frame.style.height = e.data.height + "px";
      try {{
        var key = "commentsvc:own";
        if (e.data.commentsvc === "own") localStorage.setItem(key, JSON.stringify(e.data.tokens));
        if (e.data.commentsvc === "ready") frame.contentWindow.postMessage(
          {{ commentsvc: "own", tokens: JSON.parse(localStorage.getItem(key)) || [] }}, service);
      }} catch (err) {{ /* storage refused: the reader is not remembered */ }}
    }});
  }})();
</script></main></body></html>"""

STRICT_PAGE = """<!doctype html>
<html lang="sv"><head><meta charset="utf-8"><title>Strikt värdsida</title>
<link rel="stylesheet" href="/host.css"></head>
<body><main><h1>SOI Mitt startar i Svealand</h1>
<p><span data-commentsvc-count="nyhet-1">0</span> kommentarer</p>
<div id="commentsvc-thread" data-article="nyhet-1" data-title="SOI Mitt startar i Svealand"></div>
<script src="{service}/embed.js" async></script>
</main></body></html>"""

# As docs/embedding.md tells a host site to write it: the service's origin for the script, its API
# and the avatars; styles only from the host itself.
STRICT_CSP = (
    "default-src 'self'; script-src 'self' {service}; connect-src 'self' {service}; "
    "img-src 'self' {service}; style-src 'self'"
)


class HostSite:
    """Static host pages on http://localhost:PORT that embed the service on 127.0.0.1."""

    def __init__(self):
        self.service = ""
        self.server = LiveServer(self.wsgi)
        self.origin = f"http://localhost:{self.server.server.server_port}"

    def wsgi(self, environ, start_response):
        path = Request(environ).path
        if path == "/host.css":
            return Response("body { font-family: Georgia, serif; }", mimetype="text/css")(
                environ, start_response
            )
        pages = {
            "/article": ARTICLE_PAGE,
            "/article-en": ARTICLE_PAGE,
            "/front": FRONT_PAGE,
            "/framed": FRAMED_PAGE,
            "/framed-keeping": FRAMED_KEEPING_PAGE,
            "/strict": STRICT_PAGE,
        }
        if path not in pages:
            return Response("not found", status=404)(environ, start_response)
        lang = 'data-lang="en"' if path.endswith("-en") else ""
        html = pages[path].format(service=self.service, host=self.origin, lang=lang)
        response = Response(html, mimetype="text/html")
        if path == "/strict":
            response.headers["Content-Security-Policy"] = STRICT_CSP.format(service=self.service)
        return response(environ, start_response)


@pytest.fixture
def host_site_class():
    return HostSite  # the strict-CSP host page of this module


@pytest.fixture
def config_overrides(host_site):
    return {"ALLOWED_ORIGINS": [host_site.origin]}


@pytest.fixture
def site(host_site, live_server):
    host_site.service = live_server.url
    return host_site


def contrast(rgb_a: str, rgb_b: str) -> float:
    def luminance(rgb: str) -> float:
        channels = [int(c) / 255 for c in re.findall(r"\d+", rgb)[:3]]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    high, low = sorted((luminance(rgb_a), luminance(rgb_b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def border(locator) -> dict:
    return locator.evaluate(
        """el => { const s = getComputedStyle(el);
            let bg = 'rgb(255, 255, 255)';
            for (let n = el; n; n = n.parentElement || (n.getRootNode() && n.getRootNode().host)) {
              const c = getComputedStyle(n).backgroundColor;
              if (c && c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent') { bg = c; break; }
            }
            return {color: s.borderTopColor, width: s.borderTopWidth, bg: bg}; }"""
    )


def assert_looks_invalid(locators) -> None:
    for name, locator in locators.items():
        assert locator.get_attribute("aria-invalid") == "true", name
        seen = border(locator)
        assert seen["width"] == "2px", (name, seen)
        assert seen["color"] == "rgb(179, 38, 30)", (name, seen)
        assert contrast(seen["color"], seen["bg"]) >= 3, (name, seen)


def test_every_invalid_field_looks_invalid_on_the_page_in_the_iframe_and_in_the_embed(
    page, site, live_server, article
):
    # The plain page: nothing filled in but a bad website.
    page.goto(f"{live_server.url}/thread?article={article}")
    page.locator("#url").fill("ftp://example.se")
    page.get_by_role("button", name="Publicera kommentar").click()
    page.locator(".error-summary").wait_for()
    fields = {n: page.locator(f"#{n}") for n in ("comment", "author", "email", "url")}
    assert_looks_invalid(fields)
    # The iframe page: the same templates.
    page.goto(f"{site.origin}/framed")
    frame = page.frame_locator("#commentsvc-frame")
    frame.locator("#email").fill("inte-en-adress")
    frame.get_by_role("button", name="Publicera kommentar").click()
    frame.locator(".error-summary").wait_for()
    assert_looks_invalid({n: frame.locator(f"#{n}") for n in ("comment", "author", "email")})
    # The script embed.
    page.goto(f"{site.origin}/article")
    thread = page.locator("#commentsvc-thread")
    thread.get_by_role("button", name="Publicera kommentar").click()
    thread.locator(".summary").wait_for()
    assert_looks_invalid({n: thread.locator(f"#csvc-{n}") for n in ("comment", "author", "email")})
    assert border(thread.locator("#csvc-url"))["width"] == "1px"  # optional and empty: fine


def test_the_iframe_author_keeps_their_pending_comment_after_the_host_page_reloads(
    page, site, article
):
    page.goto(f"{site.origin}/framed-keeping")
    frame = page.frame_locator("#commentsvc-frame")
    frame.locator("#comment").fill("Skrivet i iframen")
    frame.locator("#author").fill("Eva Berg")  # a first-time author: held for review
    frame.locator("#email").fill("eva@example.se")
    frame.get_by_role("button", name="Publicera kommentar").click()
    frame.locator(".comment.pending").wait_for()
    # This Chromium refuses storage to the cross-site iframe: the host page keeps the tokens.
    page.wait_for_function("localStorage.getItem('commentsvc:own') !== null")

    page.goto(f"{site.origin}/framed-keeping")  # the reader comes back to the article
    mine = frame.locator(".comment.pending")
    mine.wait_for()
    assert "Skrivet i iframen" in mine.inner_text()
    assert "Din kommentar väntar på granskning." in mine.inner_text()
    assert mine.get_by_role("link", name="Redigera").is_visible()
    assert mine.get_by_role("button", name="Radera").is_visible()
    # Another reader (another browser) does not see it.
    other = page.context.browser.new_context(locale="sv-SE").new_page()
    other.goto(f"{site.origin}/framed-keeping")
    other.frame_locator("#commentsvc-frame").locator("#commentform").wait_for()
    assert other.frame_locator("#commentsvc-frame").locator(".comment.pending").count() == 0
    other.context.close()


@pytest.fixture
def approve_at_once(app):
    app.config.update(MODERATION="none")


def test_counts_are_fresh_after_a_post_on_the_page_and_on_the_next_load(
    page, site, article, add_comment, approve_at_once
):
    add_comment("nyhet-1", "En första kommentar")
    page.goto(f"{site.origin}/front")  # the browser now holds the counts (1 and 0)
    expect_text(page.locator("[data-commentsvc-count]").nth(0), "1")
    page.goto(f"{site.origin}/article")
    thread = page.locator("#commentsvc-thread")
    thread.locator("h2").wait_for()
    count = page.locator(".host-article [data-commentsvc-count]")
    expect_text(count, "1")
    thread.locator("#csvc-comment").fill("Ett bra initiativ!")
    thread.locator("#csvc-author").fill("Anna Lindqvist")
    thread.locator("#csvc-email").fill("anna@example.se")
    thread.get_by_role("button", name="Publicera kommentar").click()
    expect_text(count, "2")  # at once, on the page that posted
    page.goto(f"{site.origin}/front")  # within the counts' cache lifetime
    counts = page.locator("[data-commentsvc-count]")
    expect_text(counts.nth(0), "2")
    expect_text(counts.nth(2), "2")
    assert counts.nth(1).inner_text() == "0"  # the other article is untouched


@pytest.mark.parametrize(
    ("path", "expected"),
    [("/article", "30 november 2026 kl. 13:46"), ("/article-en", "30 November 2026 at 13:46")],
)
def test_the_embed_shows_times_in_the_services_zone_and_the_pages_language(
    browser, site, article, add_comment, path, expected
):
    add_comment(article, "Klockan", when=datetime(2026, 11, 30, 12, 46, tzinfo=UTC))
    # A reader abroad, with an American browser: the time is still the site's.
    context = browser.new_context(locale="en-US", timezone_id="America/New_York")
    page = context.new_page()
    page.goto(f"{site.origin}{path}")
    time = page.locator("#commentsvc-thread .time").first
    time.wait_for()
    assert time.inner_text() == expected
    context.close()


def test_the_error_summary_goes_when_the_reader_clicks_reply(page, site, article, add_comment):
    add_comment(article, "Första kommentaren", author="Bo Ek", email="bo@example.se")
    page.goto(f"{site.origin}/article")
    thread = page.locator("#commentsvc-thread")
    thread.get_by_role("button", name="Publicera kommentar").click()
    summary = thread.locator(".summary")
    summary.wait_for()
    assert thread.locator("#csvc-author-error").inner_text() == "Ange ditt namn."
    thread.get_by_role("button", name="Svara till Bo Ek").click()
    assert summary.is_hidden()
    assert thread.locator("#csvc-author-error").inner_text() == ""
    assert thread.locator("#csvc-author").get_attribute("aria-invalid") is None
    # A new mistake in the reply shows again.
    thread.get_by_role("button", name="Publicera kommentar").click()
    summary.wait_for()


def test_the_embed_looks_as_designed_under_a_strict_host_csp(page, site, article, add_comment):
    add_comment(article, "Första kommentaren", author="Bo Ek", email="bo@example.se")
    refused = []
    page.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.goto(f"{site.origin}/strict")
    thread = page.locator("#commentsvc-thread")
    thread.locator("h2").wait_for()
    expect_text(page.locator("[data-commentsvc-count]"), "1")
    # Our styles apply: the heading's size, the button's colours, the avatar is shown.
    assert thread.locator("h2").evaluate("el => getComputedStyle(el).fontSize") == "22.4px"
    button = thread.get_by_role("button", name="Publicera kommentar")
    assert button.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(11, 92, 173)"
    assert thread.locator("img.avatar").evaluate("el => el.complete && el.naturalWidth > 0")
    # The honeypot is no field a reader sees, with or without our styles ...
    honeypot = thread.locator("#csvc-hp")
    assert honeypot.is_hidden()
    assert thread.get_by_text("Lämna detta fält tomt").is_hidden()
    page.evaluate("document.getElementById('commentsvc-thread').shadowRoot.adoptedStyleSheets = []")
    assert honeypot.is_hidden()
    # ... but a real field of the form, which a program filling every field fills.
    assert honeypot.evaluate("el => el.form !== null && el.name === 'hp'")
    assert refused == []
