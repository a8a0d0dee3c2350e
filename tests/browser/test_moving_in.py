"""Imported threads and erased comments in a real browser: shape kept, accessible, notice shown."""

from __future__ import annotations

import pytest

from ..conftest import TESTDATA

THEME = TESTDATA / "themeunittestdata.wordpress.xml"


@pytest.mark.skipif(not THEME.exists(), reason=f"{THEME} is not there")
@pytest.mark.parametrize("config_overrides", [{"PRIVACY_URL": "https://kommun.example.se/pul"}])
def test_the_imported_deep_thread_reads_in_order_and_has_no_wcag_violations(
    page, live_server, runner, axe_violations
):
    assert runner.invoke(args=["import-wordpress", str(THEME)]).exit_code == 0
    page.goto(f"{live_server.url}/thread?article=template-comments")
    # Replies below the deepest level are shown at level 5, beside each other, in order.
    deepest = page.locator("li.comment.depth-5 > article .comment-content").all_inner_texts()
    assert [t.split()[2] for t in deepest] == ["05", "06", "07", "08", "09", "10"]
    notice = page.get_by_role("link", name="Så behandlar vi dina personuppgifter")
    assert notice.get_attribute("href") == "https://kommun.example.se/pul"
    assert axe_violations(page) == []


def test_a_removed_comment_keeps_its_replies_and_stays_accessible(
    page, live_server, runner, article, add_comment, axe_violations
):
    first = add_comment(article, "Snart borta", author="Anna", email="anna@example.se")
    add_comment(article, "Ett svar som blir kvar", author="Bo", email="bo@example.se", parent=first)
    assert runner.invoke(args=["privacy-erase", "--delete", "anna@example.se"]).exit_code == 0
    page.goto(f"{live_server.url}/thread?article={article}")
    removed = page.locator(f"#comment-{first}")
    assert "Kommentaren har tagits bort" in removed.inner_text()
    assert "Ett svar som blir kvar" in removed.locator(".children").inner_text()
    assert axe_violations(page) == []
