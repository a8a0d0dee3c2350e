"""The plain page in a real browser: the author edits and deletes their own comment with plain
HTML forms (no script takes part in it), and the page stays accessible."""


def test_author_edits_and_deletes_on_the_plain_page(page, live_server, article, axe_violations):
    page.goto(f"{live_server.url}/thread?article={article}")
    page.fill("#comment", "Skrivet på sidan")
    page.fill("#author", "Eva Berg")
    page.fill("#email", "eva@example.se")
    page.get_by_role("button", name="Publicera kommentar").click()
    mine = page.locator(".comment.pending")
    assert "Skrivet på sidan" in mine.inner_text()
    assert axe_violations(page) == []

    mine.get_by_role("link", name="Redigera").click()
    editor = page.locator(".edit-form textarea")
    assert editor.input_value() == "Skrivet på sidan"
    editor.fill("")
    page.get_by_role("button", name="Spara").click()
    assert "Skriv en kommentar." in page.locator(".edit-form").inner_text()
    assert axe_violations(page) == []

    page.locator(".edit-form textarea").fill("Ändrat på sidan")
    page.get_by_role("button", name="Spara").click()
    assert "Ändrat på sidan" in page.locator(".comment.pending").inner_text()
    page.get_by_role("button", name="Radera").click()
    page.wait_for_load_state()
    assert page.locator(".comment.pending").count() == 0
