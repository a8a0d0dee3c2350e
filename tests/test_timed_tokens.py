"""Tokens with a time in them, read on the services' clock: the author's edit tokens (opaque,
their issue time stored: the edit window, OWN_TOKEN_DAYS) and the form's anti-spam stamp
(itsdangerous's timed serializer).

Tokens of the earlier format (a timestamp inside an untimed payload): an edit token fails
safely (its reader is not taken for the author: 403, no pending comment shown); a form stamp
still counts, as a form shown before the upgrade may be sent after it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from itsdangerous import URLSafeSerializer

from commentsvc import threads
from commentsvc.extensions import db
from commentsvc.models.base import utcnow
from commentsvc.models.threads import Comment, CommentStatus
from commentsvc.threads import antispam
from tests.test_api import new_comment, stored
from tests.test_api_edit import HOST, edit


def earlier_format(app, salt: str, payload) -> str:
    return URLSafeSerializer(app.config["SECRET_KEY"], salt=salt).dumps(payload)


@pytest.fixture
def pending(client, article):
    """A first-time author's comment, waiting for review, as the API answered it."""
    body = client.post("/api/v1/comments", json=new_comment(article), headers=HOST).get_json()
    assert body["pending"] is True
    return body


def own_pending(client, article, *tokens) -> list[int]:
    thread = client.get(
        "/api/v1/comments",
        query_string={"article": article},
        headers={"X-Own-Comments": " ".join(tokens)},
    ).get_json()
    return [c["id"] for c in thread["comments"] if c.get("pending")]


def token_issued(app, comment_id: int, ago: timedelta) -> str:
    with app.app_context():
        comment = db.session.get(Comment, comment_id)
        token = threads.issue_edit_token(comment, utcnow() - ago)
        db.session.commit()
        return token


def test_an_edit_token_of_the_earlier_format_is_refused_safely(app, client, article, pending):
    comment_id = pending["comment"]["id"]
    earlier = earlier_format(app, "edit-comment", {"c": comment_id, "t": int(utcnow().timestamp())})
    before = stored(app)

    refused = edit(client, comment_id, earlier)

    assert refused.status_code == 403
    assert refused.get_json()["error"] == "edit_not_allowed"
    assert stored(app) == before
    assert own_pending(client, article, earlier) == []
    assert own_pending(client, article, pending["edit_token"]) == [comment_id]
    assert edit(client, comment_id, pending["edit_token"]).status_code == 200


def test_an_author_sees_their_pending_comment_for_thirty_days_of_their_token(
    app, client, article, pending
):
    comment_id = pending["comment"]["id"]
    day_29 = token_issued(app, comment_id, timedelta(days=29))
    day_31 = token_issued(app, comment_id, timedelta(days=31))
    assert own_pending(client, article, day_29) == [comment_id]
    assert own_pending(client, article, day_31) == []


def test_a_token_from_an_instance_whose_clock_is_a_moment_ahead_still_works(app, client, pending):
    comment_id = pending["comment"]["id"]
    ahead = token_issued(app, comment_id, timedelta(seconds=-2))
    far_ahead = token_issued(app, comment_id, timedelta(minutes=-5))
    assert edit(client, comment_id, far_ahead).status_code == 403
    assert edit(client, comment_id, ahead).status_code == 200


@pytest.mark.parametrize("config_overrides", [{"MIN_SUBMIT_SECONDS": 3, "MODERATION": "none"}])
def test_a_form_stamp_of_the_earlier_format_still_counts_its_age(app, client, article):
    shown = int((utcnow() - timedelta(seconds=20)).timestamp())
    earlier = earlier_format(app, "form-stamp", shown)
    forged = URLSafeSerializer("not-the-secret", salt="form-stamp").dumps(shown)
    with app.app_context():
        timed = antispam.issue_stamp(utcnow() - timedelta(seconds=20))
        assert 19 <= antispam.stamp_age(timed, utcnow()) < 25
    statuses = {}
    for name, stamp in (("earlier", earlier), ("timed", timed), ("forged", forged)):
        body = new_comment(article, comment=f"Skriven i lugn och ro ({name})", ts=stamp)
        posted = client.post("/api/v1/comments", json=body, headers=HOST).get_json()
        with app.app_context():
            statuses[name] = db.session.get(Comment, posted["comment"]["id"]).status
    assert statuses == {
        "earlier": CommentStatus.APPROVED,
        "timed": CommentStatus.APPROVED,
        "forged": CommentStatus.SPAM,
    }
