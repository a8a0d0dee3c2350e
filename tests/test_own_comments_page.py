"""The plain page (no JavaScript): the author edits or deletes their comment for a while,
proven by the edit token kept in the signed session cookie."""

from __future__ import annotations

import re

from commentsvc.extensions import db
from commentsvc.models import Comment, CommentStatus
from tests.conftest import CSRF_INPUT
from tests.test_api import stored


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
