"""A moderator's account in Chromium: turning the second factor on with the key the page shows,
logging in with the code on the second page, an admin clearing a colleague's failed logins,
and the throttled login page; every page accessible (axe-core, WCAG 2.1 AA)."""

from __future__ import annotations

import time

import pyotp

from tests.browser.test_moderation_queue import PASSWORD, log_in, queue_data  # noqa: F401


def test_a_moderator_turns_on_the_second_factor_and_logs_in_with_it(
    page,
    live_server,
    queue_data,  # noqa: F811
    axe_violations,
):
    log_in(page, live_server)
    page.get_by_role("link", name="Andra faktor").click()
    page.wait_for_url(f"{live_server.url}/moderation/me/second-factor")
    assert page.get_by_role("img", name="QR-kod för din autentiseringsapp").is_visible()
    assert axe_violations(page) == []
    secret = page.locator(".totp-secret").inner_text().strip()

    page.get_by_label("Ange koden som appen visar nu").fill("000000")
    page.get_by_role("button", name="Slå på den andra faktorn").click()
    assert page.get_by_text("Det är inte koden som din app visar nu").is_visible()
    assert axe_violations(page) == []

    page.get_by_label("Ange koden som appen visar nu").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Slå på den andra faktorn").click()
    codes = page.locator(".recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    assert axe_violations(page) == []

    page.get_by_role("button", name="Logga ut redaktionen").click()
    page.get_by_label("Användarnamn").fill("redaktionen")
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(f"{live_server.url}/moderation/login/code")
    assert axe_violations(page) == []
    page.get_by_label("Kod").fill("123")
    page.get_by_role("button", name="Logga in").click()
    assert page.get_by_text("Koden är fel eller redan använd").is_visible()
    assert axe_violations(page) == []
    # The code that turned it on is spent: the next step's code (taken for clock drift).
    page.get_by_label("Kod").fill(pyotp.TOTP(secret).at(time.time(), counter_offset=1))
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(f"{live_server.url}/moderation/")
    page.get_by_role("link", name="Andra faktor").click()
    assert page.get_by_text("10 reservkoder finns kvar.").is_visible()
    assert axe_violations(page) == []


def test_an_admin_clears_a_colleagues_failed_logins_on_the_moderators_page(
    page,
    browser,
    live_server,
    queue_data,  # noqa: F811
    axe_violations,
    app,
):
    from commentsvc.extensions import db
    from commentsvc.moderation import accounts

    with app.app_context():
        accounts.create_moderator("moa", PASSWORD)
        db.session.commit()
    colleague = browser.new_context(locale="sv-SE").new_page()
    colleague.goto(f"{live_server.url}/moderation/login")
    throttled = colleague.get_by_text("För många misslyckade försök")
    for attempt in range(app.config["LOGIN_LOCK_FAILURES"] + 1):
        colleague.get_by_label("Användarnamn").fill("moa")
        colleague.get_by_label("Lösenord").fill(f"fel {attempt}")
        colleague.get_by_role("button", name="Logga in").click()
        if throttled.count():
            break
    assert throttled.is_visible()
    assert axe_violations(colleague) == []

    log_in(page, live_server)
    page.get_by_role("link", name="Moderatorer").click()
    page.get_by_role("button", name="Nollställ misslyckade inloggningar för moa").click()
    assert page.get_by_text("De misslyckade inloggningarna för moa är nollställda.").is_visible()
    assert axe_violations(page) == []

    colleague.get_by_label("Användarnamn").fill("moa")
    colleague.get_by_label("Lösenord").fill(PASSWORD)
    colleague.get_by_role("button", name="Logga in").click()
    colleague.wait_for_url(f"{live_server.url}/moderation/")
    colleague.context.close()
