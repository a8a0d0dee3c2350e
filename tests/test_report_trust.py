"""Readers' reports hold up against one person: a comment is held by independent readers (not by
ids a client invents), report receipts go only where they are wanted, and the report routes
tell nothing about comments that are not public."""

from __future__ import annotations

import re

import pytest

from tests.conftest import ALLOWED_ORIGIN, CSRF_INPUT

MISSING = 999_999


def report_form_post(client, comment_id: int, token_from: int, **fields):
    """Post the report form with a token read from a published comment's report page."""
    page = client.get(f"/comments/{token_from}/report").get_data(as_text=True)
    token = CSRF_INPUT.search(page).group(1)
    form = {"reason": "spam", "csrf_token": token, **fields}
    return client.post(f"/comments/{comment_id}/report", data=form)


def api_report(client, comment_id: int, body: dict, *, ip: str = "198.51.100.7"):
    return client.post(
        f"/api/v1/comments/{comment_id}/reports",
        json=body,
        headers={"Origin": ALLOWED_ORIGIN},
        environ_base={"REMOTE_ADDR": ip},
    )


# --- hidden comments answer like missing ones -----------------------------------------------


@pytest.fixture
def hidden(app, article, add_comment):
    """A published comment beside one pending, one marked spam and one in the trash."""
    from commentsvc import moderation
    from commentsvc.extensions import db
    from commentsvc.models.base import utcnow

    published = add_comment(article, "Synlig för alla", author="Eva Berg")
    pending = add_comment(article, "Väntar på granskning", approve=False)
    spam = add_comment(article, "Köp billiga klockor")
    trash = add_comment(article, "Borttagen text")
    with app.app_context():
        moderation.mark_spam(spam, by="test", now=utcnow())
        moderation.trash(trash, by="test", now=utcnow())
        db.session.commit()
    return {"published": published, "pending": pending, "spam": spam, "trash": trash}


def without_id(text: str, comment_id: int) -> str:
    """The text with the id written as ID (not inside a longer number or a hash)."""
    return re.sub(rf"(?<![0-9A-Za-z]){comment_id}(?![0-9A-Za-z])", "ID", text)


def answers(app, comment_id: int, published: int) -> list[tuple[int, str]]:
    """What a stranger's browser gets from every report route for ``comment_id``, with the id
    itself written as ID, so that two ids' answers can be compared whole."""
    client = app.test_client()
    responses = [
        client.get(f"/comments/{comment_id}/report"),
        client.get(f"/comments/{comment_id}/report?lang=en"),
        client.get(f"/comments/{comment_id}/report?sent=1"),
        report_form_post(client, comment_id, published),
        report_form_post(client, comment_id, published, reason="illegal"),
        report_form_post(client, comment_id, published, csrf_token="fel"),
        api_report(client, comment_id, {"reason": "spam"}),
        api_report(client, comment_id, {"reason": "nonsense"}),
    ]
    return [
        (
            r.status_code,
            without_id(CSRF_INPUT.sub("TOKEN", r.get_data(as_text=True)), comment_id),
        )
        for r in responses
    ]


@pytest.mark.parametrize("kind", ["pending", "spam", "trash"])
def test_a_comment_that_is_not_public_answers_every_report_route_like_a_missing_one(
    app, hidden, kind
):
    missing = answers(app, MISSING, hidden["published"])
    assert [status for status, _ in missing] == [404, 404, 200, 404, 404, 404, 404, 422]
    assert answers(app, hidden[kind], hidden["published"]) == missing
    # Its text is nowhere in what a stranger gets.
    assert not any("Väntar" in b or "klockor" in b or "Borttagen" in b for _, b in missing)


def test_the_thank_you_page_tells_nothing_about_the_id(app, hidden):
    """``?sent=1`` is the same page, byte for byte, for a published, a hidden and a missing id:
    no article, no link, no text of the comment."""
    pages = {
        kind: app.test_client().get(f"/comments/{comment_id}/report?sent=1").get_data(as_text=True)
        for kind, comment_id in {**hidden, "missing": MISSING}.items()
    }
    assert len(set(pages.values())) == 1
    page = pages["published"]
    assert "Tack. Din anmälan har tagits emot." in page
    assert "SOI Mitt" not in page and "soi-mitt" not in page and "nyhet-1" not in page
    assert "Synlig för alla" not in page


def test_the_browser_that_sent_the_report_is_led_back_to_the_comment(app, hidden):
    client = app.test_client()
    sent = report_form_post(client, hidden["published"], hidden["published"])
    assert sent.status_code == 303
    page = client.get(sent.headers["Location"]).get_data(as_text=True)
    back = f'href="https://www.example.se/nyheter/soi-mitt#comment-{hidden["published"]}"'
    assert "Tack. Din anmälan har tagits emot." in page and back in page
    # Its session names that comment only: another id's thank-you page has no link.
    other = client.get(f"/comments/{hidden['pending']}/report?sent=1").get_data(as_text=True)
    assert "soi-mitt" not in other and "Tillbaka" not in other
