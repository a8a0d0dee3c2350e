"""An author's edit of a comment that a moderator approved goes back to the queue as a revision:
the approved text stays published until a moderator approves the new one, in every mode."""

from __future__ import annotations

import re

import pytest

from commentsvc.extensions import db
from commentsvc.models.moderation import ModerationEvent
from commentsvc.models.threads import Comment
from tests.conftest import ALLOWED_ORIGIN
from tests.test_api import new_comment

HOST = {"Origin": ALLOWED_ORIGIN}
APPROVED_TEXT = "Bra att SOI Mitt granskas av redaktionen."
SWITCHED_TEXT = "Köp billiga klockor hos oss, ring 070-123 45 67!"
NOTE = "Din ändring väntar på granskning. Tills dess visas den godkända texten."


@pytest.fixture(params=["first-time", "all", "none"])
def config_overrides(request):
    # "granskas" holds the first text in every mode, so that a moderator approves it.
    return {"MODERATION": request.param, "MODERATION_KEYS": ["granskas"]}


@pytest.fixture
def approved(client, article, mod):
    """A comment held at posting, approved by a moderator, with its author's edit token."""
    body = client.post(
        "/api/v1/comments", json=new_comment(article, comment=APPROVED_TEXT), headers=HOST
    ).get_json()
    assert body["pending"] is True
    assert mod.act(body["comment"]["id"], "approve").status_code == 303
    return body


def patch(client, posted, text):
    return client.patch(
        f"/api/v1/comments/{posted['comment']['id']}",
        json={"comment": text},
        headers={**HOST, "X-Edit-Token": posted["edit_token"]},
    )


def public_texts(client, article) -> str:
    """Everything a reader sees of the thread: the JSON, the page and the iframe."""
    thread = client.get("/api/v1/comments", query_string={"article": article}).get_json()
    page = client.get("/thread", query_string={"article": article}).get_data(as_text=True)
    frame = client.get("/embed", query_string={"article": article}).get_data(as_text=True)
    return " ".join([*(c["html"] for c in thread["comments"]), page, frame])


def audit_actions(app, comment_id) -> list[str]:
    with app.app_context():
        return [
            e.action
            for e in db.session.query(ModerationEvent)
            .filter_by(comment_id=comment_id)
            .order_by(ModerationEvent.id)
        ]


def test_an_edit_after_approval_waits_and_the_approved_text_stays(app, client, article, approved):
    r = patch(client, approved, SWITCHED_TEXT)
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["edit_pending"] is True
    assert body["pending"] is False  # the comment itself stays published
    assert body["message"] == NOTE
    assert body["comment"]["html"] == f"<p>{APPROVED_TEXT}</p>"
    seen = public_texts(client, article)
    assert APPROVED_TEXT in seen
    assert "klockor" not in seen
    comment_id = approved["comment"]["id"]
    assert audit_actions(app, comment_id)[-1] == "edit-submitted"


def test_the_moderator_sees_old_and_new_text_and_approving_publishes_the_new(
    app, client, article, approved, mod
):
    comment_id = approved["comment"]["id"]
    patch(client, approved, SWITCHED_TEXT)
    queue = mod.get("/moderation/").get_data(as_text=True)
    row = queue[queue.index(f'id="row-{comment_id}"') :]
    assert APPROVED_TEXT in row and "klockor" in row
    assert "(1)" in re.search(r"Väntande[^<]*<span class=\"count\">\(\d+\)", queue).group(0)
    assert mod.act(comment_id, "approve-edit").status_code == 303
    seen = public_texts(client, article)
    assert "klockor" in seen and APPROVED_TEXT not in seen
    assert f'id="row-{comment_id}"' not in mod.get("/moderation/").get_data(as_text=True)
    assert audit_actions(app, comment_id)[-2:] == ["edit-submitted", "edit-approved"]


def test_rejecting_the_revision_keeps_the_approved_text(app, client, article, approved, mod):
    comment_id = approved["comment"]["id"]
    patch(client, approved, SWITCHED_TEXT)
    assert mod.act(comment_id, "reject-edit").status_code == 303
    seen = public_texts(client, article)
    assert APPROVED_TEXT in seen and "klockor" not in seen
    assert f'id="row-{comment_id}"' not in mod.get("/moderation/").get_data(as_text=True)
    assert audit_actions(app, comment_id)[-1] == "edit-rejected"
    with app.app_context():
        # The rejected words are not kept anywhere (they are a reader's words).
        assert "klockor" not in repr([e.details for e in db.session.query(ModerationEvent).all()])


def test_a_second_edit_replaces_the_waiting_revision(app, client, approved, mod):
    comment_id = approved["comment"]["id"]
    patch(client, approved, SWITCHED_TEXT)
    patch(client, approved, "Andra försöket.")
    row = mod.get("/moderation/").get_data(as_text=True)
    assert "Andra försöket." in row and "klockor" not in row
    mod.act(comment_id, "approve-edit")
    with app.app_context():
        assert db.session.get(Comment, comment_id).text == "Andra försöket."


def test_an_edit_of_a_comment_published_without_a_moderator_is_applied_at_once(
    app, client, article, add_comment, config_overrides
):
    """The near miss: a comment the policy published itself was never judged by a person."""
    if config_overrides["MODERATION"] == "all":
        pytest.skip("every comment is reviewed in this mode")
    add_comment(article, "Tidigare")  # Anna is known
    body = client.post("/api/v1/comments", json=new_comment(article), headers=HOST).get_json()
    assert body["pending"] is False
    r = patch(client, body, "Ändrad direkt")
    assert r.get_json()["edit_pending"] is False
    assert "Ändrad direkt" in public_texts(client, article)


def test_the_form_tells_the_author_their_edit_awaits_review(app, reader, article, mod):
    posted = reader.post(article, comment=APPROVED_TEXT)
    assert posted.status_code == 303
    with app.app_context():
        comment_id = db.session.query(Comment.id).scalar()
    mod.act(comment_id, "approve")
    token = reader.csrf_token(article)
    r = reader.client.post(
        f"/comments/{comment_id}/edit",
        data={"comment": SWITCHED_TEXT, "csrf_token": token},
        follow_redirects=True,
    )
    page = r.get_data(as_text=True)
    assert r.status_code == 200
    assert NOTE in page
    assert APPROVED_TEXT in page and "klockor" not in page


def test_a_waiting_edit_is_in_the_authors_export_and_goes_with_erasure(
    app, client, article, approved, runner, tmp_path
):
    import json

    from commentsvc.models.threads import PendingEdit

    patch(client, approved, "Ring mig på 070-1234567")
    out = tmp_path / "anna.json"
    assert runner.invoke(args=["privacy-export", "anna@example.se", "-o", str(out)]).exit_code == 0
    document = json.loads(out.read_text(encoding="utf-8"))
    assert [e["text"] for e in document["edits_waiting_for_review"]] == ["Ring mig på 070-1234567"]
    near_miss = tmp_path / "hanna.json"
    runner.invoke(args=["privacy-export", "hanna@example.se", "-o", str(near_miss)])
    assert "070-1234567" not in near_miss.read_text(encoding="utf-8")
    assert runner.invoke(args=["privacy-erase", "anna@example.se"]).exit_code == 0
    with app.app_context():
        assert db.session.query(PendingEdit).count() == 0


def test_a_waiting_edit_of_a_comment_moved_to_the_trash_leaves_the_queue(
    app, client, approved, mod
):
    comment_id = approved["comment"]["id"]
    patch(client, approved, SWITCHED_TEXT)
    assert mod.act(comment_id, "trash").status_code == 303
    queue = mod.get("/moderation/").get_data(as_text=True)
    assert f'id="row-{comment_id}"' not in queue
    assert "klockor" not in mod.get("/moderation/?status=trash").get_data(as_text=True)


def test_undo_after_publishing_the_edit_puts_the_approved_text_back(
    app, client, article, approved, mod
):
    comment_id = approved["comment"]["id"]
    patch(client, approved, SWITCHED_TEXT)
    mod.act(comment_id, "approve-edit")
    assert mod.act(comment_id, "undo").status_code == 303
    seen = public_texts(client, article)
    assert APPROVED_TEXT in seen and "klockor" not in seen  # and still published
