"""A moderator bans a commenter in a real browser: from the comment's page to the prefilled
form, a refused try that says what to correct, the ban, the list and lifting it; every page
is accessible (axe-core, WCAG 2.1 AA)."""

from __future__ import annotations

from tests.browser.test_moderation_queue import log_in, queue_data  # noqa: F401  (fixture)


def test_a_moderator_bans_and_lifts_with_no_accessibility_violations(
    page,
    live_server,
    queue_data,  # noqa: F811
    axe_violations,
):
    log_in(page, live_server)
    page.goto(f"{live_server.url}/moderation/comments/{queue_data[0]}")
    page.get_by_role("link", name="Stäng av skribentens adress eller nät…").click()
    page.wait_for_url(f"{live_server.url}/moderation/bans/new?comment={queue_data[0]}")
    assert page.get_by_label("Adressen lisa@example.se").is_checked()
    assert axe_violations(page) == []

    page.get_by_label("Dagar (tomt: tills den hävs)").fill("0")
    page.get_by_role("button", name="Stäng av").click()
    days = page.get_by_label("Dagar (tomt: tills den hävs)")
    assert days.get_attribute("aria-invalid") == "true"
    assert "från 1 till 36500" in page.content()
    assert axe_violations(page) == []

    days.fill("14")
    page.get_by_label("Skäl").select_option("harassment")
    page.get_by_label("Grund med egna ord").fill("Hot mot en annan läsare.")
    page.get_by_role("button", name="Stäng av").click()
    page.wait_for_url(f"{live_server.url}/moderation/bans")
    status = page.locator("#mod-status").inner_text()
    assert "lisa@example.se får inte kommentera" in status
    assert "Trakasserier eller hot" in page.locator("table.bans").inner_text()
    assert axe_violations(page) == []

    page.get_by_role("button", name="Häv avstängning 1").click()
    page.wait_for_url(f"{live_server.url}/moderation/bans")
    assert "Avstängning 1 av lisa@example.se är hävd." in page.locator("#mod-status").inner_text()
    page.get_by_label("Visa också hävda och utgångna avstängningar").check()
    page.get_by_role("button", name="Visa").click()
    assert "hävd" in page.locator("table.bans").inner_text()
    assert axe_violations(page) == []
