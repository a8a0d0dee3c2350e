"""The moderation queue in a real browser: log in, clear the queue with the keyboard, and it
is accessible (axe-core). Also takes the screenshots of the queue page in the README and
docs/moderating.md."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.moderation.conftest import PASSWORD

# The pictures of the README and docs/moderating.md are rewritten only when asked
# (make screenshots); a plain test run takes them into a temporary folder, so it never
# changes tracked files.
README_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def queue_data(app, article, add_comment):
    """An admin and a queue that shows the reasons comments are held."""
    from commentsvc import threads
    from commentsvc.extensions import db
    from commentsvc.moderation import accounts

    app.config.update(MODERATION_KEYS=["bygglov"], MAX_LINKS=1)
    with app.app_context():
        accounts.create_moderator("redaktionen", PASSWORD, role="admin", email="red@example.se")
        threads.create_article("nyhet-2", title="Ny bro över älven")
        db.session.commit()
    ids = [
        add_comment(
            article,
            "Hur påverkar det pendlingen från Sundsvall?",
            approve=False,
            author="Lisa Berg",
            email="lisa@example.se",
        ),
        add_comment(
            article,
            "Läs mer på https://www.trafikverket.se och https://www.sundsvall.se",
            approve=False,
            author="Olle Ek",
            email="olle@example.se",
            website="https://olle.example",
        ),
        add_comment(
            "nyhet-2",
            "När kommer beslutet om bygglov?",
            approve=False,
            author="Karin Ström",
            email="karin@example.se",
        ),
    ]
    return ids


def log_in(page, live_server):
    page.goto(f"{live_server.url}/moderation/")
    page.get_by_label("Användarnamn").fill("redaktionen")
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(f"{live_server.url}/moderation/")


def test_a_moderator_clears_the_queue_with_the_keyboard(page, live_server, queue_data, app):
    from commentsvc.extensions import db
    from commentsvc.models.threads import Comment

    log_in(page, live_server)
    assert page.locator(".queue-item").count() == 3
    page.keyboard.press("j")
    assert page.evaluate("document.activeElement.id") == f"row-{queue_data[0]}"
    page.keyboard.press("a")  # approve the first: the row leaves, no page load
    page.wait_for_function("(id) => !document.getElementById('row-' + id)", arg=queue_data[0])
    assert f"Kommentar {queue_data[0]} är godkänd." in page.locator("#mod-status").inner_text()
    assert page.evaluate("document.activeElement.id") == f"row-{queue_data[1]}"
    page.keyboard.press("s")  # spam the next
    page.wait_for_function("(id) => !document.getElementById('row-' + id)", arg=queue_data[1])
    assert page.evaluate("document.activeElement.id") == f"row-{queue_data[2]}"
    page.keyboard.press("k")
    page.keyboard.press("d")  # trash the last: the list fetches what is left
    page.wait_for_function("() => document.querySelector('#queue-results .empty')")
    assert "Inga kommentarer här." in page.content()
    with app.app_context():
        statuses = [db.session.get(Comment, i).status.value for i in queue_data]
    assert statuses == ["approved", "spam", "trash"]


def test_shortcuts_do_nothing_while_typing_in_the_search_field(page, live_server, queue_data):
    log_in(page, live_server)
    page.get_by_label("Sök i text, namn eller e-post").click()
    page.keyboard.type("asd")
    assert page.locator(".queue-item").count() == 3
    assert page.get_by_label("Sök i text, namn eller e-post").input_value() == "asd"


def test_bulk_approve_with_select_all(page, live_server, queue_data):
    log_in(page, live_server)
    page.get_by_role("button", name="Markera alla på sidan").click()
    page.get_by_label("Åtgärd för de markerade kommentarerna").select_option("approve")
    page.get_by_role("button", name="Utför på markerade").click()
    page.wait_for_load_state()
    assert "3 kommentarer uppdaterade." in page.locator("#mod-status").inner_text()


@pytest.mark.parametrize(
    "path",
    [
        "/moderation/login",
        "/moderation/",
        "/moderation/comments/1",
        "/moderation/log",
        "/moderation/me/password",
        "/moderation/moderators",
    ],
)
def test_moderation_pages_have_no_accessibility_violations(
    page, live_server, queue_data, axe_violations, path
):
    if path != "/moderation/login":
        log_in(page, live_server)
    page.goto(f"{live_server.url}{path}")
    assert axe_violations(page) == []


def test_screenshots_of_the_queue_for_the_readme(page, browser, live_server, queue_data, tmp_path):
    update = os.environ.get("COMMENTSVC_UPDATE_SCREENSHOTS") == "1"
    SCREENSHOTS = README_SCREENSHOTS if update else tmp_path
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1100, "height": 900})
    log_in(page, live_server)
    page.keyboard.press("j")
    page.screenshot(path=str(SCREENSHOTS / "moderation-queue.png"), full_page=True)
    narrow = browser.new_context(
        locale="sv-SE", viewport={"width": 390, "height": 844}, color_scheme="dark"
    )
    phone = narrow.new_page()
    log_in(phone, live_server)
    phone.screenshot(path=str(SCREENSHOTS / "moderation-queue-mobile-dark.png"))
    narrow.close()
    assert (SCREENSHOTS / "moderation-queue.png").stat().st_size > 10_000


@pytest.mark.slow
def test_a_queue_of_50_is_cleared_with_the_keyboard_alone(page, live_server, app, article):
    from commentsvc import threads
    from commentsvc.extensions import db
    from commentsvc.models.base import utcnow
    from commentsvc.models.moderation import ModerationEvent
    from commentsvc.models.threads import Comment, CommentStatus
    from commentsvc.moderation import accounts

    with app.app_context():
        accounts.create_moderator("redaktionen", PASSWORD, role="admin")
        a = threads.find_article(article)
        for i in range(50):
            draft = threads.Draft(comment=f"Kommentar {i}", author=f"P{i}", email=f"p{i}@ex.se")
            threads.post_comment(a, draft, ip="192.0.2.0", now=utcnow())
            db.session.commit()
    log_in(page, live_server)
    page.keyboard.press("j")
    for i in range(50):
        row = page.evaluate("document.activeElement.id")
        page.keyboard.press("a" if i % 10 else "s")  # no page load: the row leaves
        page.wait_for_function("(id) => !document.getElementById(id)", arg=row)
        page.wait_for_function(
            "() => document.activeElement.classList.contains('queue-item') || "
            "document.querySelector('#queue-results .empty')"
        )
    assert "Inga kommentarer här." in page.content()
    with app.app_context():
        assert db.session.query(Comment).filter_by(status=CommentStatus.PENDING).count() == 0
        decisions = db.session.query(ModerationEvent).filter(
            ModerationEvent.comment_id.is_not(None)
        )
        assert decisions.count() == 50


def test_the_moderator_works_the_dense_list_with_keys_and_bulk_actions(
    page, live_server, queue_data, add_comment, article, axe_violations
):
    parent = add_comment(article, "Bron öppnar i maj, enligt kommunen.", author="Bo Ek")
    log_in(page, live_server)
    page.get_by_role("link", name="Lista").click()
    rows = page.locator("tr.queue-item")
    assert rows.count() == 3
    first = rows.nth(0)
    assert "Lisa Berg" in first.inner_text() and "SOI Mitt startar i Svealand" in first.inner_text()
    assert "första kommentaren från denna författare" in first.inner_text()
    assert axe_violations(page) == []
    actions = first.locator(".actions")
    # Always there and only what applies: nothing hidden takes room in the row.
    assert actions.evaluate("el => getComputedStyle(el).opacity") == "1"
    assert first.get_by_role("button", name="Godkänn", exact=True).is_visible()
    page.keyboard.press("j")
    assert page.evaluate("document.activeElement.id") == f"row-{queue_data[0]}"
    page.keyboard.press("a")
    page.wait_for_function("(id) => !document.getElementById('row-' + id)", arg=queue_data[0])
    assert f"Kommentar {queue_data[0]} är godkänd." in page.locator("#mod-status").inner_text()
    assert page.locator("tr.queue-item").count() == 2  # still the list
    assert page.evaluate("document.activeElement.id") == f"row-{queue_data[1]}"

    page.goto(f"{live_server.url}/moderation/")  # another visit: the list again
    assert page.locator("table.queue-list").count() == 1
    page.get_by_role("button", name="Markera alla på sidan").click()
    page.get_by_label("Åtgärd för de markerade kommentarerna").select_option("trash")
    with page.expect_navigation():
        page.get_by_role("button", name="Utför på markerade").click()
    assert "2 kommentarer uppdaterade." in page.locator("#mod-status").inner_text()
    assert parent  # the approved parent stays out of the queue
