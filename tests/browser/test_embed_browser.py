"""The embed on a host site, in a real browser: a static host page on http://localhost:PORT
embeds the service from http://127.0.0.1:PORT (another origin and another site), with the
script tag and with the iframe, as docs/embedding.md tells a site owner to."""

from __future__ import annotations

import re

import pytest
from werkzeug.wrappers import Request, Response

from commentsvc.extensions import db
from commentsvc.forms.comment import CommentForm, declared_limits
from commentsvc.models.threads import Comment
from tests.browser.conftest import LiveServer

ARTICLE_PAGE = """<!doctype html>
<html lang="sv"><head><meta charset="utf-8"><title>SOI Mitt startar i Svealand</title>
<style>
  /* A host site's own styles: they must not reach into the embed, nor ours out. */
  body {{ font-family: Georgia, serif; max-width: 48rem; margin: 0 auto; padding: 1rem; }}
  h2 {{ color: #ff0000; }}
  .comment, .field, label {{ display: none; }}
  article {{ border: 0; }}
</style></head>
<body><main>
<article class="host-article"><h1>SOI Mitt startar i Svealand</h1>
<p>Sveriges Offentliga Inköpare startar en ny regional förening.</p>
<p><a href="#commentsvc-thread"><span data-commentsvc-count="nyhet-1">0</span> kommentarer</a></p>
</article>
<div id="commentsvc-thread" data-article="nyhet-1" data-title="SOI Mitt startar i Svealand"
     data-url="{host}/article" {lang}></div>
<script src="{service}/embed.js" async></script>
</main></body></html>"""

FRONT_PAGE = """<!doctype html>
<html lang="sv"><head><meta charset="utf-8"><title>Nyheter</title></head><body><main>
<h1>Nyheter</h1><ul>
<li>SOI Mitt: <span data-commentsvc-count="nyhet-1">0</span> kommentarer</li>
<li>Nyhet två: <span data-commentsvc-count="nyhet-2">0</span> kommentarer</li>
<li>Igen: <span data-commentsvc-count="nyhet-1">0</span> kommentarer</li>
</ul><script src="{service}/embed.js" async></script></main></body></html>"""

FRAMED_PAGE = """<!doctype html>
<html lang="sv"><head><meta charset="utf-8"><title>I en iframe</title></head><body><main>
<h1>SOI Mitt startar i Svealand</h1>
<iframe id="commentsvc-frame" title="Kommentarer" src="{service}/embed?article=nyhet-1"
        style="width: 100%; border: 0" height="150"></iframe>
<script>
  addEventListener("message", function (e) {{
    if (e.origin !== "{service}" || !e.data || e.data.commentsvc !== "height") return;
    document.getElementById("commentsvc-frame").style.height = e.data.height + "px";
  }});
</script></main></body></html>"""


class HostSite:
    """The news site: static pages on another origin that embed the service."""

    def __init__(self):
        self.service = ""
        self.server = LiveServer(self.wsgi)
        self.origin = f"http://localhost:{self.server.server.server_port}"

    def wsgi(self, environ, start_response):
        path = Request(environ).path
        pages = {
            "/article": ARTICLE_PAGE,
            "/article-en": ARTICLE_PAGE,
            "/front": FRONT_PAGE,
            "/framed": FRAMED_PAGE,
        }
        if path not in pages:
            return Response("not found", status=404)(environ, start_response)
        lang = 'data-lang="en"' if path.endswith("-en") else ""
        html = pages[path].format(service=self.service, host=self.origin, lang=lang)
        return Response(html, mimetype="text/html")(environ, start_response)


@pytest.fixture
def config_overrides(host_site):
    return {"ALLOWED_ORIGINS": [host_site.origin]}


@pytest.fixture
def site(host_site, live_server):
    host_site.service = live_server.url
    return host_site


def embed(page):
    return page.locator("#commentsvc-thread")


def open_article(page, site):
    page.goto(f"{site.origin}/article")
    page.locator("#commentsvc-thread h2").wait_for()


def test_reader_reads_posts_edits_and_replies_in_the_script_embed(
    page, site, app, article, add_comment, axe_violations
):
    first = add_comment(article, "Första kommentaren", author="Bo Ek", email="bo@example.se")
    open_article(page, site)
    thread = embed(page)
    assert thread.locator("h2").inner_text() == "1 kommentar till ”SOI Mitt startar i Svealand”"
    assert "Första kommentaren" in thread.locator(f"#comment-{first}").inner_text()
    assert page.locator("[data-commentsvc-count]").inner_text() == "1"
    assert axe_violations(page) == []

    # Empty fields: the same messages as the server's, beside each field and in a summary.
    thread.get_by_role("button", name="Publicera kommentar").click()
    assert thread.locator("#csvc-comment-error").inner_text() == "Skriv en kommentar."
    assert thread.locator("#csvc-author-error").inner_text() == "Ange ditt namn."
    assert thread.locator("#csvc-email-error").inner_text() == (
        "Ange din e-postadress. Den publiceras inte."
    )
    assert thread.locator(".summary").is_visible()
    assert axe_violations(page) == []

    # The server's own 422 message appears beside the field it concerns.
    thread.locator("#csvc-comment").fill("Min första kommentar")
    thread.locator("#csvc-author").fill("Anna Lindqvist")
    thread.locator("#csvc-email").fill("inte-en-adress")
    thread.get_by_role("button", name="Publicera kommentar").click()
    expect_text(thread.locator("#csvc-email-error"), "Ange en e-postadress som namn@exempel.se.")
    assert thread.locator("#csvc-comment-error").inner_text() == ""

    thread.locator("#csvc-email").fill("anna@example.se")
    thread.locator("#csvc-remember").check()
    thread.get_by_role("button", name="Publicera kommentar").click()
    mine = thread.locator(".comment.pending").first
    mine.wait_for()
    assert "Min första kommentar" in mine.inner_text()
    assert "Din kommentar väntar på granskning." in mine.inner_text()
    with app.app_context():
        own = db.session.execute(db.select(Comment).where(Comment.author == "Anna Lindqvist"))
        own_id = own.scalar_one().id

    # Editing within the window.
    mine.get_by_role("button", name="Redigera").click()
    editor = mine.locator("textarea")
    assert editor.input_value() == "Min första kommentar"
    editor.fill("Min ändrade kommentar")
    mine.get_by_role("button", name="Spara").click()
    expect_text(thread.locator(f"#comment-{own_id} .content"), "Min ändrade kommentar")
    assert "(redigerad)" in thread.locator(f"#comment-{own_id} time").inner_text()

    # A reply: the form moves under the comment, and the reply is shown under it.
    thread.get_by_role("button", name="Svara till Bo Ek").click()
    holder = thread.locator("#respond").evaluate("el => el.parentElement.id")
    assert holder == f"comment-{first}"
    assert thread.locator("#csvc-reply-title").inner_text().startswith("Svara till Bo Ek")
    assert thread.locator("#csvc-author").input_value() == "Anna Lindqvist"
    thread.locator("#csvc-comment").fill("Ett svar till Bo")
    thread.get_by_role("button", name="Publicera kommentar").click()
    reply = thread.locator(f"#comment-{first} .children .comment")
    reply.wait_for()
    assert "Ett svar till Bo" in reply.inner_text()
    with app.app_context():
        stored = db.session.execute(
            db.select(Comment).where(Comment.text == "Ett svar till Bo")
        ).scalar_one()
        assert stored.parent_id == first
    assert thread.locator("#respond").evaluate("el => el.parentElement.tagName") == "SECTION"
    assert axe_violations(page) == []

    # "Remember me" was ticked: the next visit starts with the details filled in.
    open_article(page, site)
    assert embed(page).locator("#csvc-email").input_value() == "anna@example.se"
    assert embed(page).locator("#csvc-remember").is_checked()
    page.screenshot(path=str(SCREENSHOTS / "embed-host-page.png"), full_page=True)


def test_the_embed_sends_a_fresh_stamp_from_its_own_endpoint_with_a_shareable_thread(
    page, site, app, article
):
    """The thread JSON is public (a CDN may share it), so the time-trap's stamp comes from
    /api/v1/stamp: a reader who takes their time is published, the stamp is a real one."""
    app.config.update(MIN_SUBMIT_SECONDS=1, MODERATION="none")
    answers = {}
    page.on(
        "response",
        lambda r: (
            answers.setdefault(r.url.split("/api/v1/")[-1].split("?")[0], r)
            if "/api/v1/" in r.url
            else None
        ),
    )
    open_article(page, site)
    thread = embed(page)
    assert answers["comments"].headers["cache-control"].startswith("public")
    thread.locator("#csvc-comment").fill("Skriven i lugn och ro")
    thread.locator("#csvc-author").fill("Anna Lindqvist")
    thread.locator("#csvc-email").fill("anna@example.se")
    page.wait_for_timeout(1500)  # a person writing: longer than MIN_SUBMIT_SECONDS
    assert "stamp" in answers
    with page.expect_request(lambda r: r.method == "POST" and "/api/v1/comments" in r.url) as sent:
        thread.get_by_role("button", name="Publicera kommentar").click()
    assert sent.value.post_data_json["ts"]
    published = thread.locator(".comment").filter(has_text="Skriven i lugn och ro")
    published.wait_for()
    with app.app_context():
        stored = db.session.execute(
            db.select(Comment).where(Comment.text == "Skriven i lugn och ro")
        ).scalar_one()
        assert stored.status == "approved", stored.held_for
        assert stored.held_for == ""


def test_data_lang_chooses_english(page, site, article):
    page.goto(f"{site.origin}/article-en")
    thread = embed(page)
    expect_text(thread.locator("h2"), "No comments yet on “SOI Mitt startar i Svealand”")
    thread.get_by_role("button", name="Post comment").click()
    assert thread.locator("#csvc-comment-error").inner_text() == "Write a comment."
    thread.locator("#csvc-comment").fill("Hello")
    thread.locator("#csvc-author").fill("Ann")
    thread.locator("#csvc-email").fill("not-an-address")
    thread.get_by_role("button", name="Post comment").click()
    expect_text(thread.locator("#csvc-email-error"), "Enter an email address like")


def test_nothing_is_remembered_without_the_checkbox(page, site, article):
    open_article(page, site)
    thread = embed(page)
    thread.locator("#csvc-comment").fill("Hej")
    thread.locator("#csvc-author").fill("Eva")
    thread.locator("#csvc-email").fill("eva@example.se")
    thread.get_by_role("button", name="Publicera kommentar").click()
    thread.locator(".comment.pending").wait_for()
    assert page.evaluate("localStorage.getItem('commentsvc:author')") is None
    open_article(page, site)
    assert embed(page).locator("#csvc-author").input_value() == ""


def test_styles_neither_leak_in_nor_out(page, site, article, add_comment):
    first = add_comment(article, "Första kommentaren")
    open_article(page, site)
    thread = embed(page)
    # The host's "h2 { color: red }" and ".comment { display: none }" do not reach in.
    assert thread.locator("h2").evaluate("el => getComputedStyle(el).color") != "rgb(255, 0, 0)"
    assert thread.locator(f"#comment-{first}").is_visible()
    # Our "article { border-bottom }" and ".content" styles do not reach out.
    border = page.locator("article.host-article").evaluate(
        "el => getComputedStyle(el).borderBottomStyle"
    )
    assert border == "none"
    # Theming: a custom property set by the host reaches the embed.
    page.add_style_tag(content="#commentsvc-thread { --commentsvc-accent: rgb(1, 2, 3); }")
    button = thread.get_by_role("button", name="Publicera kommentar")
    assert button.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(1, 2, 3)"


def test_counts_for_a_front_page_come_in_one_request(page, site, app, article, add_comment):
    from commentsvc import threads

    with app.app_context():
        threads.create_article("nyhet-2", title="Nyhet två")
        db.session.commit()
    add_comment(article, "Ett")
    add_comment(article, "Två")
    asked = []
    page.on("request", lambda r: asked.append(r.url) if "/api/v1/counts" in r.url else None)
    page.goto(f"{site.origin}/front")
    counts = page.locator("[data-commentsvc-count]")
    expect_text(counts.nth(0), "2")
    assert counts.all_inner_texts() == ["2", "0", "2"]
    assert len(asked) == 1


def test_iframe_resizes_posts_and_is_accessible(page, site, article, add_comment, axe_violations):
    for i in range(4):
        add_comment(article, f"Kommentar nummer {i}\n\nMed ett andra stycke.")
    page.goto(f"{site.origin}/framed")
    frame_element = page.locator("#commentsvc-frame")
    page.wait_for_function(
        "document.getElementById('commentsvc-frame').getBoundingClientRect().height > 600"
    )
    height = frame_element.evaluate("el => el.getBoundingClientRect().height")
    frame = page.frame_locator("#commentsvc-frame")
    content = frame.locator("body").evaluate("el => el.getBoundingClientRect().height")
    assert abs(height - content) <= 2  # the iframe fits its page: no inner scroll bar

    live = next(f for f in page.frames if "/embed" in f.url)
    assert axe_violations(live) == []

    frame.get_by_role("button", name="Publicera kommentar").click()
    frame.locator(".error-summary").wait_for()
    live = next(f for f in page.frames if "/embed" in f.url)
    assert axe_violations(live) == []

    frame.locator("#comment").fill("Skrivet i iframen")
    frame.locator("#author").fill("Eva Berg")  # a first-time author: held for review
    frame.locator("#email").fill("eva@example.se")
    frame.get_by_role("button", name="Publicera kommentar").click()
    mine = frame.locator(".comment.pending")
    mine.wait_for()
    assert "Din kommentar väntar på granskning." in mine.inner_text()
    # The page grew by the new comment, and the host was told.
    page.wait_for_function(
        f"document.getElementById('commentsvc-frame').getBoundingClientRect().height > {height}"
    )

    # Edit within the window, inside the iframe (no cookies: the token is in its address).
    mine.get_by_role("link", name="Redigera").click()
    frame.locator(".edit-form textarea").fill("Ändrat i iframen")
    frame.get_by_role("button", name="Spara").click()
    expect_text(frame.locator(".comment.pending .comment-content"), "Ändrat i iframen")
    live = next(f for f in page.frames if "/embed" in f.url)
    assert live.evaluate("scrollY") == 0  # the whole thread shows: nothing scrolled inside
    page.set_viewport_size({"width": 1000, "height": 2000})
    page.screenshot(path=str(SCREENSHOTS / "iframe-host-page.png"))


def expect_text(locator, text: str) -> None:
    from playwright.sync_api import expect

    expect(locator).to_have_text(re.compile(re.escape(text)))


SCREENSHOTS = __import__("pathlib").Path("/tmp/commentsvc-screenshots")
SCREENSHOTS.mkdir(exist_ok=True)


def test_dark_scheme_embed_is_accessible_too(browser, site, article, add_comment, axe_violations):
    add_comment(article, "Första kommentaren", website="https://bo.example.se")
    context = browser.new_context(locale="sv-SE", color_scheme="dark")
    try:
        page = context.new_page()
        open_article(page, site)
        thread = embed(page)
        background = thread.locator("section").evaluate(
            "el => getComputedStyle(el).backgroundColor"
        )
        assert background == "rgb(22, 22, 22)"
        thread.get_by_role("button", name="Publicera kommentar").click()
        assert axe_violations(page) == []
        page.screenshot(path=str(SCREENSHOTS / "embed-dark.png"), full_page=True)
    finally:
        context.close()


def test_a_removed_comment_keeps_its_replies_in_place_in_the_script_embed(
    page, site, app, article, add_comment, axe_violations
):
    from commentsvc import moderation
    from commentsvc.models.base import utcnow

    parent = add_comment(article, "Olämplig text", author="Borttagen Person")
    reply = add_comment(
        article, "Ett svar som står kvar", author="Erik", email="erik@example.se", parent=parent
    )
    with app.app_context():
        moderation.trash(parent, by="test", now=utcnow())
        db.session.commit()
    open_article(page, site)
    thread = embed(page)
    removed = thread.locator(f"#comment-{parent}")
    removed.wait_for()
    assert "Kommentaren har tagits bort" in removed.inner_text()
    assert "Ett svar som står kvar" in removed.locator(f"#comment-{reply}").inner_text()
    assert "Olämplig text" not in thread.inner_text()
    assert "Borttagen Person" not in thread.inner_text()
    # Reply and Report where the JSON's can_reply and can_report say: the reply, not its place.
    assert thread.locator(f"#comment-{reply} > article button.reply").count() == 1
    assert thread.locator(f"#comment-{reply} > article a.report").count() == 1
    assert thread.locator(f"#comment-{parent} > article").count() == 0
    assert thread.locator(f"#comment-{parent} > p button, #comment-{parent} > p a").count() == 0
    # The form's limits come from the JSON thread, as the form declares them.
    limits = declared_limits(CommentForm)
    for name, limit in limits.items():
        field = thread.locator(f"#csvc-{name}")
        assert field.get_attribute("maxlength") == str(limit["max"])
        assert (field.get_attribute("required") is not None) == limit["required"]
    assert axe_violations(page) == []
