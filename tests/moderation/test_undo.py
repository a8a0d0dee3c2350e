"""Undo is offered only where there is something to undo, and refused with a reason where it
would leave the thread inconsistent."""

from __future__ import annotations

import pytest


@pytest.fixture
def config_overrides() -> dict:
    return {"MODERATION": "all"}  # every comment waits, and a mail about it is written


def test_undoing_an_approval_that_a_staff_reply_depends_on_is_refused_with_a_reason(
    app, article, held, admin, status_of
):
    comment = held("Fråga till redaktionen")
    admin.post(f"/moderation/comments/{comment}/reply", {"text": "Vi svarar här."})
    assert status_of(comment) == "approved"
    answer = admin.act(comment, "undo", next=f"/moderation/comments/{comment}")
    page = admin.get(answer.headers["Location"]).get_data(as_text=True)
    assert "redaktionens svar" in page or "webbplatsens svar" in page
    assert status_of(comment) == "approved"
    thread = app.test_client().get("/thread", query_string={"article": article})
    assert "Kommentaren har tagits bort" not in thread.get_data(as_text=True)


def test_undo_is_offered_only_where_there_is_something_to_undo(app, held, admin):
    comment = held("Inget beslut ännu")
    page = admin.get(f"/moderation/comments/{comment}").get_data(as_text=True)
    assert "Ångra" not in page
    admin.act(comment, "approve")
    assert "Ångra" in admin.get(f"/moderation/comments/{comment}").get_data(as_text=True)
    queue = admin.get("/moderation/?status=approved").get_data(as_text=True)
    assert "Ångra" in queue
    admin.act(comment, "undo")
    assert "Ångra" not in admin.get(f"/moderation/comments/{comment}").get_data(as_text=True)
    assert "Ångra" not in admin.get("/moderation/").get_data(as_text=True)
