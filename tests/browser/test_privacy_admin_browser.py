"""An admin answers a data-subject request in a real browser: looks the email up, downloads
the export, erases after confirming; each page is accessible (axe-core, WCAG 2.1 AA)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.browser.test_moderation_queue import log_in, queue_data  # noqa: F401  (fixture)


def test_an_admin_looks_up_downloads_and_erases_with_no_accessibility_violations(
    page,
    live_server,
    queue_data,  # noqa: F811
    axe_violations,
):
    log_in(page, live_server)
    page.get_by_role("link", name="Personuppgifter").click()
    page.wait_for_url(f"{live_server.url}/moderation/privacy")
    assert axe_violations(page) == []

    page.get_by_role("button", name="Visa lagrade uppgifter").click()  # empty: a clear error
    email = page.get_by_label("Personens e-postadress")
    assert email.get_attribute("aria-invalid") == "true"
    assert "Ange e-postadressen som begäran gäller." in page.content()
    assert axe_violations(page) == []

    email.fill("lisa@example.se")
    page.get_by_role("button", name="Visa lagrade uppgifter").click()
    assert page.get_by_text("Kommentarer: 1").is_visible()
    page.get_by_text("Visa allt").click()
    assert "Hur påverkar det pendlingen" in page.locator("pre").inner_text()
    assert axe_violations(page) == []

    with page.expect_download() as info:
        page.get_by_role("button", name="Ladda ner som JSON").click()
    document = json.loads(Path(info.value.path()).read_text(encoding="utf-8"))
    assert document["comments"][0]["email"] == "lisa@example.se"

    page.get_by_label("Ta bort kommentarernas texter också").check()
    page.get_by_role("button", name="Radera…").click()
    heading = page.get_by_role("heading", name="Radera allt som finns lagrat om lisa@example.se?")
    assert heading.is_visible()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Ja, radera").click()
    page.wait_for_url(f"{live_server.url}/moderation/privacy")
    assert "Raderat: 0 kommentarer anonymiserade, 1 borttagen" in page.content()
    log = page.locator("table.privacy-audit")
    assert "personuppgiftsradering" in log.inner_text() and "lisa" not in log.inner_text()
    assert axe_violations(page) == []
