"""The plain page (no JavaScript): the author edits or deletes their comment for a while,
proven by the edit token kept in the signed session cookie."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from commentsvc.extensions import db
from commentsvc.models.threads import Comment, CommentStatus
from tests.conftest import CSRF_INPUT
from tests.test_api import stored
from tests.test_embed import SERVICE, own_tokens, post_from_frame


def posted_id(response) -> int:
    return int(re.search(r"#comment-(\d+)$", response.headers["Location"]).group(1))


def test_author_sees_edit_and_delete_others_do_not(reader, make_reader, article):
    comment_id = posted_id(reader.post(article))
    page = reader.open(article).get_data(as_text=True)
    assert f"/comments/{comment_id}/edit" not in page  # the form opens on request
    assert f"edit={comment_id}" in page
    assert f"/comments/{comment_id}/delete" in page
    other = make_reader().open(article).get_data(as_text=True)
    assert "/delete" not in other and "edit=" not in other


def test_author_edits_without_javascript(app, reader, article):
    comment_id = posted_id(reader.post(article, comment="Först skrivet"))
    page = reader.open(article, edit=comment_id).get_data(as_text=True)
    assert f'<textarea id="edit-{comment_id}"' in page
    assert "Först skrivet</textarea>" in page
    token = CSRF_INPUT.search(page).group(1)
    r = reader.client.post(
        f"/comments/{comment_id}/edit", data={"comment": "Sedan ändrat", "csrf_token": token}
    )
    assert r.status_code == 303
    assert r.headers["Location"].endswith(f"#comment-{comment_id}")
    assert "Sedan ändrat" in reader.client.get(r.headers["Location"]).get_data(as_text=True)


def test_empty_edit_shows_the_message_beside_the_field(app, reader, article):
    comment_id = posted_id(reader.post(article, comment="Först skrivet"))
    token = CSRF_INPUT.search(reader.open(article).get_data(as_text=True)).group(1)
    before = stored(app)
    r = reader.client.post(
        f"/comments/{comment_id}/edit", data={"comment": "  ", "csrf_token": token}
    )
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert f'<span class="error" id="edit-{comment_id}-error">Skriv en kommentar.</span>' in page
    assert stored(app) == before


def test_someone_else_cannot_edit_or_delete(app, reader, make_reader, article):
    comment_id = posted_id(reader.post(article))
    stranger = make_reader()
    token = stranger.csrf_token(article)
    before = stored(app)
    edited = stranger.client.post(
        f"/comments/{comment_id}/edit", data={"comment": "Kapad", "csrf_token": token}
    )
    assert edited.status_code == 403
    assert "Bara den som skrev kommentaren kan ändra den" in edited.get_data(as_text=True)
    deleted = stranger.client.post(f"/comments/{comment_id}/delete", data={"csrf_token": token})
    assert deleted.status_code == 403
    assert stored(app) == before


def test_edit_without_the_csrf_token_is_refused(app, reader, article):
    comment_id = posted_id(reader.post(article))
    before = stored(app)
    r = reader.client.post(f"/comments/{comment_id}/edit", data={"comment": "Utan token"})
    assert r.status_code == 400
    assert stored(app) == before


def test_author_deletes_without_javascript(app, reader, article):
    comment_id = posted_id(reader.post(article, comment="Ångrar mig"))
    token = reader.csrf_token(article)
    r = reader.client.post(f"/comments/{comment_id}/delete", data={"csrf_token": token})
    assert r.status_code == 303
    assert "Ångrar mig" not in reader.client.get(r.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Comment, comment_id).status == CommentStatus.TRASH


def test_edit_of_an_unknown_comment_is_404(reader, article):
    token = reader.csrf_token(article)
    r = reader.client.post("/comments/999/edit", data={"comment": "x", "csrf_token": token})
    assert r.status_code == 404


def age(app, comment_id: int, minutes: int) -> None:
    """Make the comment older, as if the reader came back later."""
    with app.app_context():
        comment = db.session.get(Comment, comment_id)
        comment.created_at = comment.created_at - timedelta(minutes=minutes)
        db.session.commit()


def test_an_edit_after_the_window_shows_why_where_the_form_was_with_the_text_kept(
    app, reader, article
):
    comment_id = posted_id(reader.post(article, comment="Först skrivet"))
    page = reader.open(article, edit=comment_id).get_data(as_text=True)
    token = CSRF_INPUT.search(page).group(1)
    age(app, comment_id, 20)
    r = reader.client.post(
        f"/comments/{comment_id}/edit",
        data={"comment": "Min långa omskrivning", "csrf_token": token},
    )
    assert r.status_code == 403
    page = r.get_data(as_text=True)
    assert '<h2 id="comments-title">' in page  # the thread, not a bare error page
    form = re.search(r'<form class="edit-form".*?</form>', page, re.DOTALL).group(0)
    assert "En kommentar kan bara ändras i 15 minuter efter att den skrevs." in form
    assert "readonly" in form and "Min långa omskrivning</textarea>" in form
    assert "Spara" not in form  # it cannot be saved any more
    with app.app_context():
        assert db.session.get(Comment, comment_id).text == "Först skrivet"


def test_an_edit_after_the_window_in_the_iframe_keeps_the_text(app, article):
    client = app.test_client(use_cookies=False)
    r = post_from_frame(client, article, comment="Först skrivet")
    token = own_tokens(r.headers["Location"])[0]
    comment_id = int(r.headers["Location"].rsplit("-", 1)[1])
    age(app, comment_id, 20)
    r = client.post(
        f"/embed/comments/{comment_id}/edit?own={token}",
        data={"comment": "Min långa omskrivning"},
        headers={"Origin": SERVICE},
    )
    assert r.status_code == 403
    page = r.get_data(as_text=True)
    form = re.search(r'<form class="edit-form".*?</form>', page, re.DOTALL).group(0)
    assert "En kommentar kan bara ändras i 15 minuter efter att den skrevs." in form
    assert "Min långa omskrivning</textarea>" in form


def test_an_edited_comment_is_marked_on_the_page_and_in_the_iframe(app, reader, article):
    comment_id = posted_id(reader.post(article, comment="Först skrivet"))
    other_id = posted_id(reader.post(article, comment="Aldrig ändrad"))
    token = CSRF_INPUT.search(reader.open(article).get_data(as_text=True)).group(1)
    reader.client.post(
        f"/comments/{comment_id}/edit", data={"comment": "Sedan ändrat", "csrf_token": token}
    )
    with app.app_context():
        from commentsvc import moderation
        from commentsvc.models.base import utcnow

        for cid in (comment_id, other_id):
            moderation.approve(cid, by="test", now=utcnow())
        db.session.commit()  # services flush; the caller commits the action
    for page in (
        reader.open(article).get_data(as_text=True),
        app.test_client().get(f"/embed?article={article}").get_data(as_text=True),
    ):
        edited = re.search(rf'<li id="comment-{comment_id}".*?</footer>', page, re.DOTALL)
        assert "(redigerad)" in edited.group(0)
        untouched = re.search(rf'<li id="comment-{other_id}".*?</footer>', page, re.DOTALL)
        assert "(redigerad)" not in untouched.group(0)


@pytest.mark.parametrize(
    ("config_overrides", "lang", "expected"),
    [
        ({"EDIT_WINDOW_MINUTES": 1}, "sv", "En kommentar kan bara ändras i 1 minut efter"),
        ({"EDIT_WINDOW_MINUTES": 1}, "en", "A comment can only be changed for 1 minute after"),
        ({"EDIT_WINDOW_MINUTES": 2}, "sv", "En kommentar kan bara ändras i 2 minuter efter"),
    ],
)
def test_the_edit_window_message_uses_the_singular_for_one_minute(
    app, client, article, config_overrides, lang, expected
):
    created = client.post(
        "/api/v1/comments",
        json={"article": article, "comment": "Hej", "author": "Anna", "email": "a@example.se"},
    ).get_json()
    age(app, created["comment"]["id"], 5)
    r = client.patch(
        f"/api/v1/comments/{created['comment']['id']}?lang={lang}",
        json={"comment": "Ändrat"},
        headers={"X-Edit-Token": created["edit_token"]},
    )
    assert r.status_code == 403
    assert expected in r.get_json()["message"]
