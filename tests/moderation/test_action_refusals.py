"""A moderator's action happens whole or not at all, and a refusal comes back where the
moderator was, with what they typed."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from commentsvc.extensions import db
from commentsvc.models.moderation import ModerationEvent


@pytest.fixture
def config_overrides() -> dict:
    return {"MODERATION": "all"}  # every comment waits, and a mail about it is written


def test_a_refused_staff_reply_publishes_nothing_and_keeps_the_typed_text(
    app, held, admin, status_of
):
    comment = held("Väntar på svar")
    answer = admin.post(f"/moderation/comments/{comment}/reply", {"text": "<!-- -->"})
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert "Skriv en kommentar." in page and "&lt;!-- --&gt;</textarea>" in page
    assert status_of(comment) == "pending"
    with app.app_context():
        decisions = select(ModerationEvent).where(ModerationEvent.comment_id.is_not(None))
        assert db.session.execute(decisions).first() is None


def test_a_bulk_action_is_whole_or_nothing(app, article, add_comment, held, admin, status_of):
    parent = held("Förälder väntar")
    # A reply to a comment that is not published yet: approving it alone is refused.
    with app.app_context():
        db.session.execute(
            text("UPDATE comment SET status = 'approved' WHERE id = :id"), {"id": parent}
        )
        db.session.commit()
    reply = held("Svar", author="Bo", email="bo@example.se", parent=parent)
    other = held("En annan", author="Cilla", email="cilla@example.se")
    with app.app_context():
        db.session.execute(
            text("UPDATE comment SET status = 'pending' WHERE id = :id"), {"id": parent}
        )
        db.session.commit()
    answer = admin.post(
        "/moderation/bulk",
        {"action": "approve", "ids": [str(reply), str(other)]},
        follow_redirects=True,
    )
    page = answer.get_data(as_text=True)
    assert "Ingenting ändrades" in page
    assert (status_of(reply), status_of(other)) == ("pending", "pending")


def test_an_edit_refused_by_the_service_comes_back_with_the_typed_text(app, held, admin):
    comment = held("Original")
    answer = admin.post(f"/moderation/comments/{comment}/edit", {"text": "<!-- -->"})
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert "&lt;!-- --&gt;</textarea>" in page and "Skriv en kommentar." in page


def test_a_refused_delete_answers_on_the_confirmation_page(app, article, add_comment, admin):
    parent = add_comment(article, "Har svar")
    add_comment(article, "Svaret", parent=parent, email="bo@example.se")
    answer = admin.post(f"/moderation/comments/{parent}/delete", {"confirm": "yes"})
    assert answer.status_code == 409
    page = answer.get_data(as_text=True)
    assert "har svar" in page and "Ja, radera permanent" in page
