"""The author's own comment: a signed token to edit or delete it for EDIT_WINDOW_MINUTES."""

from __future__ import annotations

from datetime import timedelta

import pytest

from commentsvc.extensions import db
from commentsvc.models.base import utcnow
from commentsvc.models.threads import Comment, CommentStatus
from tests.conftest import ALLOWED_ORIGIN
from tests.test_api import new_comment, stored

HOST = {"Origin": ALLOWED_ORIGIN}


@pytest.fixture
def posted(client, article, add_comment):
    """An approved comment just posted through the API, with its edit token."""
    add_comment(article, "Tidigare")  # Anna is known, so her next comment is published
    body = client.post("/api/v1/comments", json=new_comment(article), headers=HOST).get_json()
    assert body["pending"] is False
    return body


def edit(client, comment_id, token, text="Ändrad text", **kwargs):
    headers = {**HOST, "X-Edit-Token": token} if token is not None else HOST
    return client.patch(
        f"/api/v1/comments/{comment_id}", json={"comment": text}, headers=headers, **kwargs
    )


def test_author_edits_their_comment(app, client, posted):
    r = edit(client, posted["comment"]["id"], posted["edit_token"], "Ändrad <b>text</b>")
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["comment"]["html"] == "<p>Ändrad <b>text</b></p>"
    assert r.get_json()["comment"]["edited"]
    assert r.get_json()["pending"] is False


def test_edit_sanitizes_again(client, posted):
    r = edit(client, posted["comment"]["id"], posted["edit_token"], "<script>x()</script>Hej")
    assert "<script>" not in r.get_json()["comment"]["html"]


def test_an_edit_with_five_links_goes_back_to_the_queue(app, client, article, posted):
    links = " ".join(f"https://example.se/{i}" for i in range(5))
    r = edit(client, posted["comment"]["id"], posted["edit_token"], links)
    assert r.status_code == 200
    assert r.get_json()["pending"] is True
    thread = client.get("/api/v1/comments", query_string={"article": article}).get_json()
    assert posted["comment"]["id"] not in [c["id"] for c in thread["comments"]]
    with app.app_context():
        comment = db.session.get(Comment, posted["comment"]["id"])
        assert comment.status == CommentStatus.PENDING
        assert "links:5" in comment.held_for


def test_the_author_sees_their_own_pending_comment_marked(client, article):
    body = client.post("/api/v1/comments", json=new_comment(article), headers=HOST).get_json()
    thread = client.get(
        "/api/v1/comments",
        query_string={"article": article, "texts": 1},
        headers={"X-Own-Comments": body["edit_token"]},
    ).get_json()
    assert thread["comments"][0]["pending"] is True
    assert thread["texts"]["pending"] == "Din kommentar väntar på granskning."


def test_author_deletes_their_comment(app, client, article, posted):
    r = client.delete(
        f"/api/v1/comments/{posted['comment']['id']}",
        headers={**HOST, "X-Edit-Token": posted["edit_token"]},
    )
    assert r.status_code == 204
    thread = client.get("/api/v1/comments", query_string={"article": article}).get_json()
    assert posted["comment"]["id"] not in [c["id"] for c in thread["comments"]]
    with app.app_context():
        assert db.session.get(Comment, posted["comment"]["id"]).status == CommentStatus.TRASH


def old_token(app, comment_id: int, minutes_ago: int) -> str:
    from commentsvc import threads

    with app.app_context():
        comment = db.session.get(Comment, comment_id)
        token = threads.issue_edit_token(comment, utcnow() - timedelta(minutes=minutes_ago))
        db.session.commit()
        return token


def forged_token(app, comment_id: int) -> str:
    from itsdangerous import URLSafeSerializer

    issued = int(utcnow().timestamp())
    return URLSafeSerializer("not-the-secret", salt="edit-comment").dumps(
        {"c": comment_id, "t": issued}
    )


BAD_TOKENS = {
    "missing": (lambda app, posted, other: None, "edit_not_allowed"),
    "garbage": (lambda app, posted, other: "abc.def", "edit_not_allowed"),
    "forged": (lambda app, posted, other: forged_token(app, posted), "edit_not_allowed"),
    "another comment's": (lambda app, posted, other: other, "edit_not_allowed"),
    "expired": (lambda app, posted, other: old_token(app, posted, 16), "edit_window_closed"),
}


@pytest.mark.parametrize("case", list(BAD_TOKENS))
def test_bad_tokens_change_nothing(app, client, article, posted, case):
    other = client.post(
        "/api/v1/comments", json=new_comment(article, comment="Annan"), headers=HOST
    ).get_json()
    make, code = BAD_TOKENS[case]
    token = make(app, posted["comment"]["id"], other["edit_token"])
    before = stored(app)
    patched = edit(client, posted["comment"]["id"], token)
    assert patched.status_code == 403
    assert patched.get_json()["error"] == code
    assert patched.get_json()["message"]
    headers = {**HOST, **({"X-Edit-Token": token} if token else {})}
    deleted = client.delete(f"/api/v1/comments/{posted['comment']['id']}", headers=headers)
    assert deleted.status_code == 403
    assert stored(app) == before


def test_patch_after_the_window_is_refused_with_a_clear_message(app, client, article):
    from commentsvc import threads

    long_ago = utcnow() - timedelta(minutes=20)
    with app.app_context():
        comment = threads.post_comment(
            threads.find_article(article),
            threads.Draft(comment="Gammal", author="Bo", email="bo@example.se"),
            ip="",
            now=long_ago,
        )
        token = threads.issue_edit_token(comment, long_ago)
        db.session.commit()
        comment_id = comment.id
    before = stored(app)
    r = edit(client, comment_id, token)
    assert r.status_code == 403
    assert r.get_json()["message"] == (
        "En kommentar kan bara ändras i 15 minuter efter att den skrevs."
    )
    assert stored(app) == before


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"comment": ""}, "comment", "Skriv en kommentar."),
        ({"comment": ["a"]}, "comment", "Skicka fältet som text."),
        ({}, "comment", "Skriv en kommentar."),
    ],
)
def test_bad_edits_are_field_errors(app, client, posted, body, field, message):
    before = stored(app)
    r = client.patch(
        f"/api/v1/comments/{posted['comment']['id']}",
        json=body,
        headers={**HOST, "X-Edit-Token": posted["edit_token"]},
    )
    assert r.status_code == 422
    assert r.get_json()["errors"][field] == [message]
    assert stored(app) == before


def test_edit_of_a_deleted_comment_is_404(client, posted):
    path = f"/api/v1/comments/{posted['comment']['id']}"
    headers = {**HOST, "X-Edit-Token": posted["edit_token"]}
    assert client.delete(path, headers=headers).status_code == 204
    r = client.patch(path, json={"comment": "Igen"}, headers=headers)
    assert r.status_code == 404 and r.is_json


def test_a_deleted_comment_is_gone_for_its_author_too(client, article):
    body = client.post("/api/v1/comments", json=new_comment(article), headers=HOST).get_json()
    headers = {**HOST, "X-Edit-Token": body["edit_token"]}
    assert (
        client.delete(f"/api/v1/comments/{body['comment']['id']}", headers=headers).status_code
        == 204
    )
    thread = client.get(
        "/api/v1/comments",
        query_string={"article": article},
        headers={"X-Own-Comments": body["edit_token"]},
    ).get_json()
    assert thread["comments"] == []


def test_only_the_author_gets_the_text_as_typed(client, article, add_comment):
    other = add_comment(article, "Någon annans")
    body = client.post(
        "/api/v1/comments", json=new_comment(article, comment="Mitt *eget*"), headers=HOST
    ).get_json()
    assert body["comment"]["text"] == "Mitt *eget*"
    thread = client.get(
        "/api/v1/comments",
        query_string={"article": article},
        headers={"X-Own-Comments": body["edit_token"]},
    ).get_json()
    by_id = {c["id"]: c for c in thread["comments"]}
    assert by_id[body["comment"]["id"]]["text"] == "Mitt *eget*"
    assert "text" not in by_id[other]
