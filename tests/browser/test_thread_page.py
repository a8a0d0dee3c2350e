"""The plain thread page in a real browser: replying moves the form, and it is accessible."""


def test_reply_link_moves_the_form_under_the_comment_and_posts_a_reply(
    page, live_server, article, add_comment
):
    first = add_comment(article, "Första kommentaren", author="Anna Lindqvist")
    page.goto(f"{live_server.url}/thread?article={article}")
    page.get_by_role("link", name="Svara till Anna Lindqvist").click()

    form_parent = page.locator("#respond").evaluate("el => el.parentElement.id")
    assert form_parent == f"comment-{first}"
    assert page.locator("#reply-title").inner_text().startswith("Svara till Anna Lindqvist")
    assert page.locator("#comment:focus").count() == 1

    page.fill("#comment", "Ett svar i tråden")
    page.fill("#author", "Erik Johansson")
    page.fill("#email", "erik@example.se")
    page.get_by_role("button", name="Publicera kommentar").click()
    page.wait_for_load_state()

    reply = page.locator(f"#comment-{first} .children .comment").first
    assert "Ett svar i tråden" in reply.inner_text()
    assert "Din kommentar väntar på granskning." in reply.inner_text()


def test_cancel_reply_puts_the_form_back(page, live_server, article, add_comment):
    add_comment(article, "Första kommentaren", author="Anna Lindqvist")
    page.goto(f"{live_server.url}/thread?article={article}")
    page.get_by_role("link", name="Svara till Anna Lindqvist").click()
    page.get_by_role("link", name="Avbryt svar").click()
    assert page.locator("#respond").evaluate("el => el.parentElement.id") == "comments"
    assert page.locator("#parent").input_value() == ""
    assert page.locator("#reply-title").inner_text() == "Lämna ett svar"


def test_thread_and_form_with_errors_have_no_wcag_violations(
    page, live_server, article, add_comment, axe_violations
):
    parent = add_comment(article, "Första kommentaren", website="https://anna.example.se")
    add_comment(article, "Ett svar", author="Erik", email="erik@example.se", parent=parent)
    page.goto(f"{live_server.url}/thread?article={article}")
    assert axe_violations(page) == []

    page.get_by_role("button", name="Publicera kommentar").click()
    page.wait_for_load_state()
    assert page.locator(".error-summary").is_visible()
    assert axe_violations(page) == []


def test_after_a_refused_post_focus_moves_to_the_error_summary(page, live_server, article):
    page.goto(f"{live_server.url}/thread?article={article}")
    page.fill("#comment", "Text utan namn")
    page.get_by_role("button", name="Publicera kommentar").click()
    page.wait_for_load_state()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    page.get_by_role("link", name="Namn: Ange ditt namn.").click()
    assert page.evaluate("document.activeElement.id") == "author"
    assert page.locator("#comment").input_value() == "Text utan namn"
