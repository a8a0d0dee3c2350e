"""New comments wait for review; their author sees them in place, nobody else does."""

import pytest

from commentsvc.extensions import db
from commentsvc.models.threads import Comment, CommentStatus

PENDING_NOTE = "Din kommentar väntar på granskning."


def test_a_first_comment_waits_and_only_its_author_sees_it(make_reader, article):
    author, other = make_reader(), make_reader()
    location = author.post(article, comment="Min första kommentar").headers["Location"]
    mine = author.client.get(location).get_data(as_text=True)
    assert "Min första kommentar" in mine
    assert PENDING_NOTE in mine
    theirs = other.open(article).get_data(as_text=True)
    assert "Min första kommentar" not in theirs
    assert "Inga kommentarer ännu" in theirs


def test_pending_comments_are_not_counted_publicly(make_reader, article, add_comment):
    add_comment(article, "Publicerad")
    make_reader().post(article, comment="Väntar", email="ny@example.se", author="Ny")
    page = make_reader().open(article).get_data(as_text=True)
    assert "1 kommentar till ”SOI Mitt startar i Svealand”" in page


def test_the_approve_command_publishes_a_pending_comment(runner, make_reader, article, app):
    make_reader().post(article, comment="Snart synlig")
    with app.app_context():
        comment_id = db.session.execute(db.select(Comment.id)).scalar_one()
    result = runner.invoke(args=["approve", str(comment_id)])
    assert result.exit_code == 0, result.output
    page = make_reader().open(article).get_data(as_text=True)
    assert "Snart synlig" in page
    assert PENDING_NOTE not in page


def test_approving_a_comment_that_does_not_exist_says_so(runner, app):
    result = runner.invoke(args=["approve", "999"])
    assert result.exit_code != 0
    assert "999" in result.output


def test_moderation_none_publishes_at_once(make_reader, article, app):
    app.config["MODERATION"] = "none"
    make_reader().post(article, comment="Direkt publicerad")
    page = make_reader().open(article).get_data(as_text=True)
    assert "Direkt publicerad" in page
    assert PENDING_NOTE not in page


@pytest.mark.parametrize(
    ("mode", "earlier", "expected"),
    [
        ("first-time", True, CommentStatus.APPROVED),
        ("first-time", False, CommentStatus.PENDING),
        ("all", True, CommentStatus.PENDING),
        ("none", False, CommentStatus.APPROVED),
    ],
)
def test_moderation_modes(reader, article, add_comment, app, mode, earlier, expected):
    if earlier:
        add_comment(article, "Tidigare godkänd", author="Anna Lindqvist", email="anna@example.se")
    app.config["MODERATION"] = mode
    reader.post(article, comment="Ny kommentar", author="Anna Lindqvist", email="anna@example.se")
    with app.app_context():
        stored = db.session.execute(
            db.select(Comment).where(Comment.text == "Ny kommentar")
        ).scalar_one()
        assert stored.status == expected


def test_an_earlier_approved_comment_counts_only_under_the_same_name_and_email(
    reader, article, add_comment, app
):
    add_comment(article, "Tidigare", author="Anna Lindqvist", email="anna@example.se")
    reader.post(article, comment="Annat namn", author="Någon Annan", email="anna@example.se")
    with app.app_context():
        stored = db.session.execute(
            db.select(Comment).where(Comment.text == "Annat namn")
        ).scalar_one()
        assert stored.status == CommentStatus.PENDING


def test_more_links_than_max_links_hold_even_a_known_author(reader, article, add_comment, app):
    add_comment(article, "Tidigare", author="Anna Lindqvist", email="anna@example.se")
    reader.post(article, comment="https://a.se https://b.se https://c.se")
    with app.app_context():
        stored = db.session.execute(
            db.select(Comment).where(Comment.text.like("https://a.se%"))
        ).scalar_one()
        assert stored.status == CommentStatus.PENDING
        assert stored.held_for == "links:3"
