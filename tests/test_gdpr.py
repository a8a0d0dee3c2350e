"""Data-subject requests end to end: what is stored about an email, and erasing it for good."""

from __future__ import annotations

import json
import logging

import pytest
from sqlalchemy import select

from commentsvc.extensions import db
from commentsvc.models.threads import Comment

from .test_import_wordpress import comment, item, wxr

ANNA = "anna@example.se"


@pytest.fixture
def thread(app, article, add_comment):
    """Anna's two comments (one with a website), Bo's reply to the first, Cecilia's own."""
    first = add_comment(article, "Annas första", website="https://anna.example.se")
    second = add_comment(article, "Annas andra")
    reply = add_comment(
        article, "Bos svar till Anna", parent=first, author="Bo", email="bo@example.se"
    )
    add_comment(article, "Cecilias kommentar", author="Cecilia", email="cecilia@example.se")
    with app.app_context():
        avatar = db.session.get(Comment, first).avatar
    return {"first": first, "second": second, "reply": reply, "avatar": avatar}


def page(client, key) -> str:
    response = client.get("/thread", query_string={"article": key})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_privacy_export_gives_everything_about_the_email_and_nothing_else(runner, thread, article):
    result = runner.invoke(args=["privacy-export", "  Anna@Example.SE "])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    comments = document["comments"]
    assert [c["text"] for c in comments] == ["Annas första", "Annas andra"]
    first = comments[0]
    assert first["email"] == ANNA and first["ip"] == "192.0.2.0"
    assert first["website"] == "https://anna.example.se"
    assert first["article"]["key"] == article and first["created_at"].endswith("+00:00")
    assert first["status"] == "approved" and first["avatar"] == thread["avatar"]
    assert "Bos svar" not in result.stdout and "cecilia" not in result.stdout


def test_privacy_export_for_an_unknown_email_says_so(runner, thread):
    result = runner.invoke(args=["privacy-export", "okand@example.se"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["comments"] == []
    assert "Ingenting finns lagrat" in result.stderr


def test_erase_leaves_the_person_nowhere_yet_keeps_the_conversation(
    app, runner, client, thread, article, caplog
):
    before = page(client, article)
    assert "Anna Lindqvist" in before and thread["avatar"] in before
    caplog.set_level(logging.INFO)
    result = runner.invoke(args=["privacy-erase", ANNA])
    assert result.exit_code == 0, result.output
    assert "2" in result.output
    after = page(client, article)
    for trace in ("Anna Lindqvist", ANNA, "anna.example.se", thread["avatar"]):
        assert trace not in after
    assert "Anonym" in after and "Annas första" in after and "Bos svar till Anna" in after
    exported = runner.invoke(args=["export"]).stdout
    for trace in ("Anna Lindqvist", ANNA, "anna.example.se", thread["avatar"]):
        assert trace not in exported
    again = runner.invoke(args=["privacy-export", ANNA])
    assert json.loads(again.stdout)["comments"] == []
    audit = [r.getMessage() for r in caplog.records if "privacy-erase" in r.getMessage()]
    assert audit and not any(ANNA in m or "Anna" in m for m in audit)
    with app.app_context():
        bo = db.session.get(Comment, thread["reply"])
        assert bo.author == "Bo" and bo.email == "bo@example.se"


def test_erase_with_delete_removes_the_texts_and_replies_keep_their_place(
    app, runner, client, thread, article
):
    result = runner.invoke(args=["privacy-erase", "--delete", ANNA])
    assert result.exit_code == 0, result.output
    after = page(client, article)
    assert "Annas första" not in after and "Annas andra" not in after
    assert "Kommentaren har tagits bort" in after
    placeholder = after.index(f'id="comment-{thread["first"]}"')
    assert after.index(f'id="comment-{thread["reply"]}"') > placeholder
    assert f"replytocom={thread['first']}" not in after  # nothing left to answer
    with app.app_context():
        assert db.session.get(Comment, thread["second"]) is None  # nobody answered it
        kept = db.session.get(Comment, thread["first"])
        assert (kept.text, kept.html, kept.author, kept.email) == ("", "", "Anonym", "")
    exported = runner.invoke(args=["export"]).stdout
    assert "Annas" not in exported and ANNA not in exported


def test_a_reply_to_an_erased_comment_is_refused(app, runner, thread, article, add_comment):
    from commentsvc.errors import CommentRejected

    runner.invoke(args=["privacy-erase", "--delete", ANNA])
    with pytest.raises(CommentRejected):
        add_comment(article, "Svar på ingenting", parent=thread["first"])


def test_erase_for_an_email_with_no_data_says_so_and_changes_nothing(app, runner, thread):
    with app.app_context():
        before = [
            (c.id, c.author, c.email, c.text)
            for c in db.session.execute(select(Comment).order_by(Comment.id)).scalars()
        ]
    result = runner.invoke(args=["privacy-erase", "okand@example.se"])
    assert result.exit_code == 0
    assert "Ingenting finns lagrat" in result.output
    with app.app_context():
        after = [
            (c.id, c.author, c.email, c.text)
            for c in db.session.execute(select(Comment).order_by(Comment.id)).scalars()
        ]
    assert after == before


def test_importing_the_old_file_again_does_not_bring_erased_data_back(
    app, runner, client, tmp_path
):
    path = tmp_path / "wp.xml"
    path.write_text(wxr(item(1, comment(1, email="gammal@example.se"))), encoding="utf-8")
    runner.invoke(args=["import-wordpress", str(path)])
    runner.invoke(args=["privacy-erase", "--delete", "gammal@example.se"])
    result = runner.invoke(args=["import-wordpress", str(path)])
    assert result.exit_code == 0
    exported = runner.invoke(args=["export"]).stdout
    assert "gammal@example.se" not in exported and "Läsare 1" not in exported
