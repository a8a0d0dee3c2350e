"""A removed comment with published replies stays in the thread as a placeholder: the thread
keeps its shape, and nothing of the removed comment is shown."""

from __future__ import annotations

import pytest


def remove(app, comment_id, how="trash"):
    from commentsvc import moderation
    from commentsvc.extensions import db
    from commentsvc.models.base import utcnow

    with app.app_context():
        getattr(moderation, "trash" if how == "trash" else "mark_spam")(
            comment_id, by="test", now=utcnow()
        )
        db.session.commit()


@pytest.mark.parametrize("how", ["trash", "spam"])
def test_a_removed_top_level_comment_keeps_its_replies_under_a_placeholder(
    app, reader, article, add_comment, how
):
    parent = add_comment(
        article, "Borttagen text", author="Borttagen Person", email="bort@example.se"
    )
    reply = add_comment(article, "Svaret står kvar", parent=parent, email="svar@example.se")
    remove(app, parent, how)
    page = reader.open(article).get_data(as_text=True)
    assert "Kommentaren har tagits bort" in page
    assert "Svaret står kvar" in page
    assert "Borttagen text" not in page and "Borttagen Person" not in page
    assert "bort@example.se" not in page
    # the reply is still shown under the removed comment's place
    assert page.index(f'id="comment-{parent}"') < page.index(f'id="comment-{reply}"')
    assert "1 kommentar till" in page  # only the published one is counted


def test_a_removed_reply_in_the_middle_keeps_the_chain(app, reader, article, add_comment):
    top = add_comment(article, "Överst")
    middle = add_comment(article, "Mitten tas bort", parent=top, email="m@example.se")
    bottom = add_comment(article, "Längst ner", parent=middle, email="b@example.se")
    remove(app, middle)
    page = reader.open(article).get_data(as_text=True)
    assert "Mitten tas bort" not in page
    assert page.count("Kommentaren har tagits bort") == 1
    positions = [page.index(f'id="comment-{i}"') for i in (top, middle, bottom)]
    assert positions == sorted(positions)


def test_a_removed_comment_without_published_replies_leaves_no_trace(
    app, reader, article, add_comment
):
    parent = add_comment(article, "Tas bort")
    add_comment(article, "Väntande svar", parent=parent, approve=False, email="v@example.se")
    remove(app, parent)
    page = reader.open(article).get_data(as_text=True)
    assert "Kommentaren har tagits bort" not in page
    assert "Inga kommentarer ännu" in page


def test_reading_a_thread_takes_as_many_queries_at_10_as_at_1000_comments(
    app, article, add_comment, count_queries
):
    from commentsvc import threads
    from commentsvc.extensions import db
    from commentsvc.models.base import utcnow
    from commentsvc.models.threads import Comment, CommentStatus

    def queries_for(total: int) -> int:
        with app.app_context():
            found = threads.find_article(article)
            existing = db.session.query(Comment).count()
            now = utcnow()
            rows = []
            for i in range(existing, total):
                parent = rows[-1] if i % 3 and rows else None
                c = Comment(
                    article_id=found.id,
                    parent_id=parent.id if parent else None,
                    root_id=(parent.root_id or parent.id) if parent else None,
                    depth=min(parent.depth + 1, 5) if parent else 1,
                    # every fifth comment removed: placeholders all over the thread
                    status=CommentStatus.TRASH if i % 5 == 0 else CommentStatus.APPROVED,
                    text=f"k{i}",
                    html=f"<p>k{i}</p>",
                    author="A",
                    email="a@example.se",
                    created_at=now,
                )
                db.session.add(c)
                db.session.flush()
                rows.append(c)
            db.session.commit()
        with app.test_request_context(), count_queries() as counter:
            thread = threads.load_thread(threads.find_article(article))
            assert thread.nodes
        return counter.count

    assert queries_for(10) == queries_for(1000)
