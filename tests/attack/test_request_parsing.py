"""Odd values in requests get a plain answer, never a 500: CR/LF in ``next``, ids too large
for the database, numbers in other digits, settings sent without their word lists."""

from __future__ import annotations

import pytest

NEXT_WITH_NEWLINES = [
    "/moderation/\r\nSet-Cookie: evil=1",
    "/moderation/?status=spam\nX-Injected: 1",
    "/moderation/\r",
    "/moderation/\x00",
    "/moderation/\t",
]


@pytest.mark.parametrize("target", NEXT_WITH_NEWLINES)
def test_login_with_control_characters_in_next_goes_to_the_queue(app, make_moderator, target):
    from tests.attack.conftest import ModeratorClient

    make_moderator("moa")
    client = ModeratorClient(app.test_client())
    token = client.token()
    answer = client.client.post(
        "/moderation/login",
        query_string={"next": target},
        data={"username": "moa", "password": "rätt häst batteri häftklammer", "csrf_token": token},
    )
    assert answer.status_code == 303
    assert answer.headers["Location"] == "/moderation/"
    assert "evil" not in str(answer.headers) and "X-Injected" not in str(answer.headers)


@pytest.mark.parametrize("target", NEXT_WITH_NEWLINES)
def test_a_moderation_action_with_control_characters_in_next_goes_to_the_queue(
    app, mod, held, target
):
    from commentsvc import moderation
    from commentsvc.models.threads import CommentStatus

    comment_id = held()
    answer = mod.act(comment_id, "approve", next=target)
    assert answer.status_code == 303
    assert answer.headers["Location"] == "/moderation/"
    # The action itself was done: a bad ``next`` only loses the way back.
    with app.app_context():
        assert moderation.get_comment(comment_id).status == CommentStatus.APPROVED


def test_a_plain_next_is_still_followed(mod, held):
    comment_id = held()
    answer = mod.act(comment_id, "approve", next="/moderation/?status=spam")
    assert answer.headers["Location"] == "/moderation/?status=spam"


HUGE_IDS = ["99999999999999999999", "9223372036854775808", "2147483648"]


@pytest.mark.parametrize("huge", HUGE_IDS)
@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "/moderation/comments/{id}"),
        ("GET", "/moderation/comments/{id}/confirm-delete"),
        ("POST", "/moderation/comments/{id}/approve"),
        ("POST", "/moderation/comments/{id}/edit"),
        ("POST", "/moderation/comments/{id}/reply"),
        ("POST", "/moderation/comments/{id}/delete"),
        ("POST", "/moderation/moderators/{id}/disable"),
    ],
)
def test_an_id_too_large_for_the_database_is_not_found(admin, huge, method, path):
    url = path.format(id=huge)
    answer = admin.get(url) if method == "GET" else admin.post(url, {"text": "x", "confirm": "yes"})
    assert answer.status_code == 404
    assert "Sidan kunde inte hittas" in answer.get_data(as_text=True)


@pytest.mark.parametrize("method", ["PATCH", "DELETE"])
def test_the_api_answers_an_id_too_large_for_the_database_with_json_404(client, method):
    answer = client.open(
        "/api/v1/comments/99999999999999999999",
        method=method,
        json={"comment": "x"},
        headers={"Origin": "https://www.example.se", "X-Edit-Token": "x"},
    )
    assert answer.status_code == 404
    assert answer.get_json()["error"] == "not_found"


def test_settings_sent_without_the_word_lists_save_empty_lists(app, admin):
    from commentsvc import settings

    answer = admin.post(
        "/moderation/settings",
        {
            "MODERATION": "all",
            "MAX_LINKS": "3",
            "MIN_SUBMIT_SECONDS": "0",
            "CLOSE_AFTER_DAYS": "0",
            "BAN_ACTION": "refuse",
        },
    )
    assert answer.status_code == 303
    with app.test_request_context():
        effective = settings.effective_config()
        assert effective["MODERATION"] == "all"
        assert effective["MODERATION_KEYS"] == []
        assert effective["DISALLOWED_KEYS"] == []


@pytest.mark.parametrize("page", ["⁰⁴⁵", "₀₁₂", "٣", "99999999999999999999"])
def test_a_queue_page_number_in_other_digits_shows_the_first_page(mod, held, page):
    held()
    answer = mod.get(f"/moderation/?page={page}")
    assert answer.status_code == 200
    assert "Väntar på granskning" in answer.get_data(as_text=True)


@pytest.mark.parametrize("ids", ["₀₁₂", "99999999999999999999", "2147483648", "-1"])
def test_bulk_ids_that_cannot_be_comments_are_left_out(app, mod, held, ids):
    from commentsvc import moderation
    from commentsvc.models.threads import CommentStatus

    comment_id = held()
    answer = mod.client.post(
        "/moderation/bulk",
        data={
            "csrf_token": mod.token("/moderation/"),
            "action": "spam",
            "ids": [ids, str(comment_id)],
        },
    )
    assert answer.status_code == 303
    with app.app_context():
        assert moderation.get_comment(comment_id).status == CommentStatus.SPAM
