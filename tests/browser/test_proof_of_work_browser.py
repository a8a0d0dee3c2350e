"""Proof of work in a real browser: with PROOF_OF_WORK on, Chromium solves the site's
challenge with our own script on the plain page, the comment is published at once, and no
request leaves for anyone but the service."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from commentsvc.extensions import db
from commentsvc.models.threads import Comment


@pytest.fixture
def config_overrides(host_site) -> dict:
    return {
        "MODERATION": "none",
        "MIN_SUBMIT_SECONDS": 0,
        "PROOF_OF_WORK": True,
        "ALLOWED_ORIGINS": [host_site.origin],
    }


def stored(app, text: str) -> tuple[str, str]:
    with app.app_context():
        comment = db.session.execute(select(Comment).where(Comment.text == text)).scalar_one()
        return comment.status.value, comment.held_for


def test_chromium_solves_the_challenge_and_the_comment_is_published(
    page, live_server, article, app
):
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{live_server.url}/thread?article={article}")
    page.fill("#comment", "Löst av webbläsaren")
    page.fill("#author", "Erik Johansson")
    page.fill("#email", "erik@example.se")
    # Sent at once: the form waits for the solver rather than going without a proof.
    page.get_by_role("button", name="Publicera kommentar").click()
    page.wait_for_url("**#comment-*")
    page.wait_for_load_state()

    assert stored(app, "Löst av webbläsaren") == ("approved", "")
    comment = page.locator(".comment", has_text="Löst av webbläsaren")
    assert comment.count() == 1
    assert "väntar på granskning" not in comment.inner_text()
    assert [url for url in requested if not url.startswith(live_server.url)] == []
    assert any("/api/v1/stamp" in url for url in requested)


def test_the_form_with_the_proof_field_has_no_wcag_violations(
    page, live_server, article, axe_violations
):
    page.goto(f"{live_server.url}/thread?article={article}")
    page.wait_for_function("document.querySelector('input[name=altcha]').value !== ''")
    assert axe_violations(page) == []


def test_the_script_embed_solves_it_on_the_host_page_too(
    page, host_site, live_server, app, article
):
    host_site.service = live_server.url
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{host_site.origin}/article")
    thread = page.locator("#commentsvc-thread")
    thread.locator("h2").wait_for()
    thread.locator("#csvc-comment").fill("Löst i inbäddningen")
    thread.locator("#csvc-author").fill("Anna Lindqvist")
    thread.locator("#csvc-email").fill("anna@example.se")
    with page.expect_request(lambda r: r.method == "POST" and "/api/v1/comments" in r.url) as sent:
        thread.get_by_role("button", name="Publicera kommentar").click()
    assert sent.value.post_data_json["altcha"]
    thread.locator(".comment").filter(has_text="Löst i inbäddningen").wait_for()
    assert stored(app, "Löst i inbäddningen") == ("approved", "")
    elsewhere = [u for u in requested if not u.startswith((live_server.url, host_site.origin))]
    assert elsewhere == []
    assert f"{live_server.url}/static/altcha.js" in requested


def test_the_iframe_page_solves_it_as_the_plain_page_does(page, live_server, app, article):
    page.goto(f"{live_server.url}/embed?article={article}")
    page.fill("#comment", "Löst i iframen")
    page.fill("#author", "Karin Ström")
    page.fill("#email", "karin@example.se")
    page.get_by_role("button", name="Publicera kommentar").click()
    page.locator(".comment", has_text="Löst i iframen").wait_for()
    assert stored(app, "Löst i iframen") == ("approved", "")
