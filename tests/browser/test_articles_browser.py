"""A moderator finds an article on the desk's articles page in Chromium, pre-moderates and
closes it with the buttons, and the page says so where a screen reader hears it; the page is
accessible (axe-core, WCAG 2.1 AA) before and after. Also takes the screenshot of the page
in docs/moderating.md (``make screenshots``)."""

from __future__ import annotations

import os

from tests.browser.test_moderation_queue import (  # noqa: F401  (queue_data: a fixture)
    README_SCREENSHOTS,
    log_in,
    queue_data,
)


def test_a_moderator_finds_premoderates_and_closes_an_article_without_violations(
    page,
    live_server,
    queue_data,  # noqa: F811
    axe_violations,
    app,
):
    from commentsvc import threads

    log_in(page, live_server)
    page.get_by_role("link", name="Artiklar").click()
    page.wait_for_url(f"{live_server.url}/moderation/articles")
    assert page.get_by_role("heading", name="Artiklar").is_visible()
    assert axe_violations(page) == []

    page.get_by_label("Rubrik eller nyckel innehåller").fill("bro över")
    page.get_by_role("button", name="Sök").click()
    rows = page.locator("table.articles tbody tr")
    assert rows.count() == 1
    assert "Ny bro över älven" in rows.first.inner_text()
    assert axe_violations(page) == []

    rows.first.get_by_role("button", name="Förhandsgranska").click()
    status = page.locator("#mod-status")
    assert "”Ny bro över älven” förhandsgranskas" in status.inner_text()
    row = page.locator("table.articles tbody tr").first
    assert "Förhandsgranskas" in row.inner_text()
    assert "q=bro+%C3%B6ver" in page.url  # back on the same search
    row.get_by_role("button", name="Stäng").click()
    assert "”Ny bro över älven” är stängd" in page.locator("#mod-status").inner_text()
    assert "Öppna igen" in page.locator("table.articles tbody tr").first.inner_text()
    assert axe_violations(page) == []

    with app.app_context():
        found = threads.find_article("nyhet-2")
        assert (found.closed, found.premoderated) == (True, True)
        assert found.title == "Ny bro över älven"


def test_screenshots_of_the_articles_page_for_the_docs(
    page,
    live_server,
    queue_data,  # noqa: F811
    app,
    tmp_path,
):
    from commentsvc import threads
    from commentsvc.extensions import db

    update = os.environ.get("COMMENTSVC_UPDATE_SCREENSHOTS") == "1"
    folder = README_SCREENSHOTS if update else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    with app.app_context():
        threads.create_article("val-2026", title="Valet 2026: frågor till kandidaterna")
        threads.create_article("nyhet-2", closed=True)
        threads.find_article("val-2026").premoderated = True
        db.session.commit()
    page.set_viewport_size({"width": 1100, "height": 700})
    log_in(page, live_server)
    page.goto(f"{live_server.url}/moderation/articles")
    page.screenshot(path=str(folder / "moderation-articles.png"), full_page=True)
    assert (folder / "moderation-articles.png").stat().st_size > 10_000
