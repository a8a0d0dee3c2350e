"""Notice and action in a real browser: three readers in three networks report a comment (on
the plain page, in the iframe and in the script embed of a host site), it is held, the
notifier confirms the report from the receipt's link, a moderator removes it
from the "Anmälningar" tab, the notifier and the author get their mails on a loopback SMTP
server, and the transparency report counts it."""

from __future__ import annotations

import json

import pytest

from tests.mailserver import mail_config
from tests.moderation.conftest import PASSWORD


@pytest.fixture
def config_overrides(host_site, smtp_port):
    return {
        "ALLOWED_ORIGINS": [host_site.origin],
        "MODERATION": "none",
        "REPORTS_TO_HOLD": 3,
        "DSA_CONTACT": "dsa@kommun.example.se",
        # Each reader's network comes in X-Forwarded-For, as from the proxy in front: what
        # counts towards holding a comment is independent networks, not browsers.
        "TRUSTED_PROXIES": 1,
        **mail_config(smtp_port),
    }


@pytest.fixture
def site(host_site, live_server):
    host_site.service = live_server.url
    return host_site


def deliver(app) -> None:
    from commentsvc.models.base import utcnow
    from commentsvc.notify.outbox import deliver_due

    with app.app_context():
        assert deliver_due(now=utcnow()).failed == 0


def fill_report(page, reason: str, **fields) -> None:
    page.get_by_role("radio", name=reason).check()
    for label, value in fields.items():
        page.get_by_label(label, exact=True).fill(value)


def test_three_readers_report_a_comment_and_a_moderator_removes_it(
    browser, app, site, live_server, article, smtp_server, runner, axe_violations
):
    from commentsvc.extensions import db
    from commentsvc.moderation import accounts

    with app.app_context():
        accounts.create_moderator(
            "redaktionen", PASSWORD, role="admin", email="red@example.se", notify=True
        )
        db.session.commit()  # services flush; the caller commits
    thread_url = f"{live_server.url}/thread?article={article}"

    # The author writes a comment on the plain page; it is published at once.
    author = browser.new_context(locale="sv-SE").new_page()
    author.goto(thread_url)
    author.locator("#comment").fill("Alla som bor i Svealand borde skämmas.")
    author.locator("#author").fill("Eva Berg")
    author.locator("#email").fill("eva@example.se")
    author.get_by_role("button", name="Publicera kommentar").click()
    item = author.locator(".comment").first
    comment_id = int(item.get_attribute("id").removeprefix("comment-"))
    assert "väntar" not in item.inner_text()

    # Reader 1, on the plain page without JavaScript: a notice of illegal content.
    first_context = browser.new_context(
        locale="sv-SE", java_script_enabled=False, extra_http_headers=network("198.51.100.7")
    )
    first = first_context.new_page()
    first.goto(thread_url)
    first.get_by_role("link", name="Anmäl kommentaren av Eva Berg").click()
    assert "Kontaktpunkt för anmälningar och beslut: dsa@kommun.example.se" in first.content()
    assert axe_violations_without_js(browser, first.url, axe_violations) == []
    first.get_by_role("radio", name="Olagligt innehåll").check()
    first.get_by_role("button", name="Skicka anmälan").click()
    # A notice of illegal content without its details is refused, each field explained.
    assert first.locator("#error-summary").is_visible()
    assert (
        "Förklara varför kommentaren är olaglig" in first.locator("#explanation-error").inner_text()
    )
    fill_report(
        first,
        "Olagligt innehåll",
        Förklaring="Hets mot folkgrupp: hela meningen riktar sig mot alla i en region.",
        **{"Ditt namn": "Greta Eva", "Din e-postadress": "greta.eva@example.se"},
    )
    first.get_by_label("Jag intygar i god tro att uppgifterna är korrekta och fullständiga").check()
    first.get_by_role("button", name="Skicka anmälan").click()
    assert "Tack. Din anmälan har tagits emot." in first.locator("[role=status]").inner_text()
    first_context.close()

    # Reader 2, in the iframe on the host site: the report page opens in a new tab.
    second_context = browser.new_context(locale="sv-SE", extra_http_headers=network("203.0.113.9"))
    second = second_context.new_page()
    second.goto(f"{site.origin}/framed")
    frame = second.frame_locator("#commentsvc-frame")
    with second_context.expect_page() as opened:
        frame.get_by_role("link", name="Anmäl kommentaren av Eva Berg").click()
    tab = opened.value
    tab.wait_for_load_state()
    fill_report(tab, "Trakasserier eller hot")
    tab.get_by_role("button", name="Skicka anmälan").click()
    assert "Tack. Din anmälan har tagits emot." in tab.content()
    second_context.close()

    # Reader 3, in the script embed on the host site's article page.
    # Its network rides only on the pages it opens at the service: a header on the embed's own
    # cross-origin fetches would make the browser ask a preflight the API does not grant.
    third_context = browser.new_context(locale="sv-SE")
    third_context.route(f"{live_server.url}/**", from_network("192.0.2.77"))
    third = third_context.new_page()
    third.goto(f"{site.origin}/article")
    third.locator("#commentsvc-thread h2").wait_for()
    with third_context.expect_page() as opened:
        third.locator("#commentsvc-thread").get_by_role(
            "link", name="Anmäl kommentaren av Eva Berg"
        ).click()
    tab = opened.value
    tab.wait_for_load_state()
    fill_report(tab, "Spam eller reklam")
    tab.get_by_role("button", name="Skicka anmälan").click()
    assert "Tack. Din anmälan har tagits emot." in tab.content()
    third_context.close()

    # Held: gone for readers, waiting for review for its author.
    reader = browser.new_context(locale="sv-SE").new_page()
    reader.goto(thread_url)
    assert "Alla som bor i Svealand" not in reader.content()
    author.goto(thread_url)
    assert (
        "Din kommentar väntar på granskning."
        in author.locator(f"#comment-{comment_id}").inner_text()
    )

    # The notifier has the receipt at once; the moderator is called as for a held comment.
    deliver(app)
    assert [(to, m["Subject"]) for to, m in smtp_server.messages] == [
        (["greta.eva@example.se"], "Vi har tagit emot din anmälan (ärende 1)"),
        (
            ["red@example.se"],
            "[SOI Mitt startar i Svealand] En kommentar väntar på granskning: Eva Berg",
        ),
    ]
    called = smtp_server.messages[1][1].get_content()
    assert "har anmälts av läsare" in called and "Hets mot folkgrupp" not in called

    # The notifier confirms the report from the receipt's link, to hear the decision.
    receipt = smtp_server.messages[0][1].get_content()
    link = next(w for w in receipt.split() if "/reports/confirm?" in w)
    confirming = browser.new_context(locale="sv-SE").new_page()
    confirming.goto(live_server.url + link.split("kommentarer.example.se", 1)[1])
    confirming.get_by_role("button", name="Ja, jag skickade anmälan").click()
    assert "Tack: din anmälan är bekräftad." in confirming.content()
    confirming.context.close()

    # The moderator removes it from the Anmälningar tab.
    moderator = browser.new_context(locale="sv-SE").new_page()
    moderator.goto(f"{live_server.url}/moderation/reports")
    moderator.get_by_label("Användarnamn").fill("redaktionen")
    moderator.get_by_label("Lösenord").fill(PASSWORD)
    moderator.get_by_role("button", name="Logga in").click()
    moderator.wait_for_url(f"{live_server.url}/moderation/reports")
    row = moderator.locator(f"#report-{comment_id}")
    assert "3 anmälningar" in row.inner_text()
    assert "Hets mot folkgrupp" in row.inner_text()
    assert axe_violations(moderator) == []
    row.get_by_label("Skäl").select_option("illegal")
    row.get_by_label("Grund").fill("Hets mot folkgrupp, brottsbalken 16 kap. 8 §.")
    row.get_by_role("button", name="Ta bort och skicka motiveringen").click()
    assert f"Kommentar {comment_id} är borttagen" in moderator.locator("#mod-status").inner_text()
    assert "Så invänder du:" in moderator.content()  # the statement, kept for moderators

    # The notifier gets the decision, the author the statement of reasons.
    deliver(app)
    received = {(tuple(to), m["Subject"]): m.get_content() for to, m in smtp_server.messages}
    decision = received[(("greta.eva@example.se",), "Beslut om din anmälan (ärende 1)")]
    assert "har tagit bort kommentaren" in decision and "Olagligt innehåll" in decision
    statement = received[
        (("eva@example.se",), "Din kommentar till ”SOI Mitt startar i Svealand” har tagits bort")
    ]
    assert "brottsbalken 16 kap. 8 §" in statement
    assert "en moderator (en människa) beslutade" in statement
    assert "dsa@kommun.example.se" in statement

    # The transparency report counts it.
    figures = json.loads(runner.invoke(args=["transparency-report", "--format", "json"]).output)
    assert figures["notices"] == 3
    assert figures["notices_by_reason"]["illegal"] == 1
    assert figures["decisions"]["removed"] == 1
    assert figures["held_automatically"] == 1
    moderator.goto(f"{live_server.url}/moderation/transparency")
    assert "Kommentarer som togs bort: 1" in moderator.content()


def network(address: str) -> dict:
    """The header the trusted proxy in front would add for a reader at ``address``."""
    return {"X-Forwarded-For": address}


def axe_violations_without_js(browser, url, axe_violations) -> list[dict]:
    """axe needs JavaScript: the same report page, checked in a browser that runs it."""
    context = browser.new_context(locale="sv-SE")
    page = context.new_page()
    page.goto(url)
    found = axe_violations(page)
    context.close()
    return found


def test_the_report_form_with_errors_is_accessible_in_english(
    page, live_server, article, add_comment, axe_violations
):
    comment_id = add_comment(article, "Ett inlägg", author="Eva Berg")
    page.goto(f"{live_server.url}/comments/{comment_id}/report?lang=en")
    assert page.locator("h1").inner_text() == "Report a comment"
    page.get_by_role("radio", name="Illegal content").check()
    page.get_by_role("button", name="Send report").click()
    assert "Your report was not sent" in page.locator("#error-summary").inner_text()
    assert page.get_by_label("Explanation").get_attribute("aria-invalid") == "true"
    assert axe_violations(page) == []


def test_a_reader_reports_on_a_phone_in_a_few_taps(browser, live_server, article, add_comment):
    import time

    comment_id = add_comment(article, "Köp billiga klockor här", author="Spam Spamsson")
    context = browser.new_context(
        locale="sv-SE", viewport={"width": 375, "height": 667}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/thread?article={article}")
    started = time.monotonic()
    page.get_by_role("link", name="Anmäl kommentaren av Spam Spamsson").tap()
    page.get_by_role("radio", name="Spam eller reklam").tap()
    page.get_by_role("button", name="Skicka anmälan").tap()
    page.get_by_text("Tack. Din anmälan har tagits emot.").wait_for()
    elapsed = time.monotonic() - started
    # Three taps, nothing wider than the phone, and the service answers well within a second.
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    assert elapsed < 5, f"reporting took {elapsed:.1f} s"
    assert f"/comments/{comment_id}/report?sent=1" in page.url
    context.close()


def from_network(address: str):
    """A route handler: the service's pages (documents) come from ``address`` as a trusted
    proxy says; the rest goes as it is."""

    def handle(route):
        if route.request.resource_type != "document":
            return route.continue_()
        return route.continue_(headers={**route.request.headers, **network(address)})

    return handle
