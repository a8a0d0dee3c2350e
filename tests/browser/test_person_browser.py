"""The person page in a real browser: from a comment to its writer's history, a trust
decision through the form, and a search from the desk's bar; each state of the page is
accessible (axe-core, WCAG 2.1 AA)."""

from __future__ import annotations

from tests.browser.test_moderation_queue import log_in, queue_data  # noqa: F401  (fixture)


def test_a_moderator_opens_a_person_marks_them_trusted_and_searches_with_no_violations(
    page,
    live_server,
    queue_data,  # noqa: F811
    add_comment,
    axe_violations,
):
    add_comment("nyhet-1", "Lisas godkända kommentar", author="Lisa Berg", email="lisa@example.se")
    add_comment("nyhet-1", "Annalisas kommentar", author="Annalisa", email="annalisa@example.se")
    log_in(page, live_server)
    page.goto(f"{live_server.url}/moderation/comments/{queue_data[0]}")
    page.get_by_role("link", name="Allt från den här personen").click()
    page.wait_for_url(f"{live_server.url}/moderation/comments/{queue_data[0]}/person")
    assert page.get_by_role("heading", name="Person: lisa@example.se").is_visible()
    comments = page.locator(".person-comments")
    assert "Hur påverkar det pendlingen" in comments.inner_text()
    assert "Lisas godkända kommentar" in comments.inner_text()
    assert "Annalisas" not in page.content()
    assert axe_violations(page) == []

    page.get_by_label("Betrodd: publiceras utan att hållas").check()
    page.get_by_role("button", name="Spara beslutet").click()
    page.wait_for_load_state()
    assert "lisa@example.se är betrodd" in page.locator("#mod-status").inner_text()
    assert page.get_by_text("Nu: betrodd.").is_visible()
    assert page.get_by_label("Betrodd: publiceras utan att hållas").is_checked()
    assert "lisa@example.se: betrodd" in page.locator(".person-decisions").inner_text()
    assert axe_violations(page) == []

    page.get_by_label("Personens exakta e-postadress").first.fill("karin@example.se")
    page.get_by_role("button", name="Hitta personen").first.click()
    page.wait_for_url("**/moderation/people?address=karin%40example.se**")
    assert "När kommer beslutet om bygglov?" in page.locator(".person-comments").inner_text()
    assert axe_violations(page) == []


def test_an_empty_search_says_what_to_type_and_stays_accessible(
    page,
    live_server,
    queue_data,  # noqa: F811
    axe_violations,
):
    log_in(page, live_server)
    page.goto(f"{live_server.url}/moderation/people?address=")
    field = page.locator("#person-address")
    assert field.get_attribute("aria-invalid") == "true"
    assert "Ange personens e-postadress." in page.content()
    assert axe_violations(page) == []
