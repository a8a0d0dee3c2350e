"""A reader follows a thread by email, in Chromium, with a real SMTP server on loopback:
ticking the box, the confirmation mail and page, one mail for two quick replies, the
mail client's one-click unsubscribe, and silence after it. Links in the mails start with
PUBLIC_URL, set to the live server's address as a site sets its own."""

from __future__ import annotations

import re
import urllib.request
from datetime import timedelta

import pytest

from tests.browser.test_embed_browser import embed, open_article


@pytest.fixture
def config_overrides(smtp_port, host_site):
    return {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": smtp_port,
        "MAIL_FROM": "kommentarer@example.se",
        "SITE_NAME": "Kommunen",
        "MODERATION": "none",
        "NOTIFY_BATCH_MINUTES": 10,
        "ALLOWED_ORIGINS": [host_site.origin],
    }


def send_mail(app, minutes: float = 0):
    """What `send-mail` does, run as if ``minutes`` had passed."""
    from commentsvc.models.base import utcnow
    from commentsvc.notify.outbox import deliver_due

    with app.app_context():
        return deliver_due(now=utcnow() + timedelta(minutes=minutes))


def to_anna(smtp_server) -> list:
    return [m for rcpt, m in smtp_server.messages if rcpt == ["anna@example.se"]]


def reply_in_browser(browser, live_server, article, text, name, email):
    """Someone else opens the thread in their own browser and answers Anna."""
    context = browser.new_context(locale="sv-SE")
    page = context.new_page()
    page.goto(f"{live_server.url}/thread?article={article}")
    page.get_by_role("link", name="Svara till Anna Lindqvist").click()
    page.fill("#comment", text)
    page.fill("#author", name)
    page.fill("#email", email)
    page.get_by_role("button", name="Publicera kommentar").click()
    page.wait_for_load_state()
    context.close()


def test_a_reader_follows_replies_by_email_and_leaves_with_one_click(
    page, browser, live_server, host_site, app, article, smtp_server, axe_violations
):
    from commentsvc import threads
    from commentsvc.extensions import db

    # Links in mails start with PUBLIC_URL, never the Host a request claims.
    app.config["PUBLIC_URL"] = live_server.url
    # The article lives on the host site, which embeds the thread with the script.
    host_site.service = live_server.url
    with app.app_context():
        threads.create_article(
            article, title="SOI Mitt startar i Svealand", url=f"{host_site.origin}/article"
        )
        db.session.commit()  # services flush; the command commits
    # 1. Anna comments and ticks the box (unticked until she does).
    page.goto(f"{live_server.url}/thread?article={article}")
    box = page.get_by_label("Meddela mig via e-post när någon svarar på min kommentar")
    assert not box.is_checked()
    assert axe_violations(page) == []
    page.fill("#comment", "Hur tar man sig till mötet?")
    page.fill("#author", "Anna Lindqvist")
    page.fill("#email", "anna@example.se")
    box.check()
    page.get_by_role("button", name="Publicera kommentar").click()
    page.wait_for_load_state()
    assert page.get_by_text("Vi har skickat ett mejl till dig.").is_visible()

    # 2. The confirmation mail; its link shows a page whose button confirms.
    assert send_mail(app).sent == 1
    (confirmation,) = to_anna(smtp_server)
    assert confirmation["Subject"] == "Bekräfta dina e-postaviseringar från Kommunen"
    text = confirmation.get_body(("plain",)).get_content()
    link = re.search(re.escape(live_server.url) + r"/subscriptions/confirm\?\S+", text).group(0)
    page.goto(link)
    assert axe_violations(page) == []
    page.get_by_role("button", name="Ja, skicka aviseringar till mig").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Din e-postadress är bekräftad").is_visible()

    # 3. Two quick replies from two other readers: one mail, when the batch is due.
    reply_in_browser(
        browser, live_server, article, "Buss 12 från centrum.", "Bertil Berg", "bertil@example.se"
    )
    reply_in_browser(
        browser, live_server, article, "Eller cykla längs ån.", "Cecilia Ek", "cecilia@example.se"
    )
    assert send_mail(app, minutes=2).sent == 0  # not due yet
    assert send_mail(app, minutes=11).sent == 1
    assert send_mail(app, minutes=12).sent == 0
    (_, notification) = to_anna(smtp_server)
    body = notification.get_body(("plain",)).get_content()
    assert "Bertil Berg skrev:" in body and "Buss 12 från centrum." in body
    assert "Cecilia Ek skrev:" in body and "Eller cykla längs ån." in body
    assert "bertil@example.se" not in str(notification)
    assert notification["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # The comment's link in the mail opens the article's page at the reply.
    html = notification.get_body(("html",)).get_content()
    comment_link = re.findall(r'href="([^"]+)"', html)[0]
    assert comment_link.startswith(f"{host_site.origin}/article#comment-")
    page.goto(comment_link)
    reply = embed(page).locator(comment_link[comment_link.index("#") :])
    reply.wait_for()
    assert "Buss 12 från centrum." in reply.inner_text()

    # 4. Anna's mail program's own "unsubscribe" button: one POST, no page, no cookie.
    unsubscribe = notification["List-Unsubscribe"].strip("<>")
    request = urllib.request.Request(
        unsubscribe,
        data=b"List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200

    # 5. A third reply: nothing more reaches Anna.
    reply_in_browser(
        browser, live_server, article, "Samåkning finns också.", "Dan Berg", "dan@example.se"
    )
    send_mail(app, minutes=30)
    send_mail(app, minutes=60)
    assert len(to_anna(smtp_server)) == 2


def test_the_script_embed_offers_the_same_choice_and_says_a_mail_is_on_its_way(
    page, host_site, live_server, app, article
):
    host_site.service = live_server.url
    open_article(page, host_site)
    thread = embed(page)
    box = thread.get_by_label("… när någon kommenterar den här artikeln")
    assert not box.is_checked()
    thread.locator("#csvc-comment").fill("Följer den här artikeln")
    thread.locator("#csvc-author").fill("Anna Lindqvist")
    thread.locator("#csvc-email").fill("anna@example.se")
    box.check()
    thread.get_by_role("button", name="Publicera kommentar").click()
    thread.get_by_text("Vi har skickat ett mejl till dig.").wait_for()
    from commentsvc.extensions import db
    from commentsvc.models.mail import OutboxMail, Subscription

    with app.app_context():
        kinds = db.session.execute(db.select(Subscription.kind)).scalars().all()
        assert [k.value for k in kinds] == ["article"]
        assert db.session.execute(db.select(OutboxMail.recipient)).scalars().all() == [
            "anna@example.se"
        ]
