"""Keyset paging: every page of a long thread holds exactly what counting from the start
(OFFSET) would put on it, with placeholders, the reader's own pending comments and both
orders, on SQLite and on PostgreSQL (``make test-postgres``)."""

from datetime import timedelta

import pytest
from sqlalchemy import insert, select

from commentsvc import threads
from commentsvc.extensions import db
from commentsvc.models.base import utcnow
from commentsvc.models.threads import Comment, CommentStatus

TOPS = 311  # top-level comments; 7 a page makes 45 pages, the last one short


def build_thread(app) -> dict[str, int]:
    """A thread of TOPS top-level comments of every status, some with replies, several pairs
    written in the same microsecond (so only the id orders them)."""
    with app.app_context():
        article = threads.create_article("lang-trad", title="Lång tråd")
        db.session.flush()
        start = utcnow() - timedelta(days=1)
        rows, next_id = [], 1_000_000
        marks = {}
        for n in range(TOPS):
            status = CommentStatus.APPROVED
            if n % 11 == 3:
                status = CommentStatus.TRASH  # removed: a placeholder when a reply is shown
            elif n % 13 == 5:
                status = CommentStatus.SPAM
            elif n % 17 == 9:
                status = CommentStatus.PENDING
            top = next_id
            rows.append(
                row(article.id, top, None, None, 1, status, start + timedelta(seconds=n // 2))
            )
            next_id += 1
            if n % 4 == 3:  # a reply, approved or not
                reply_status = CommentStatus.APPROVED if n % 8 == 3 else CommentStatus.TRASH
                rows.append(
                    row(
                        article.id,
                        next_id,
                        top,
                        top,
                        2,
                        reply_status,
                        start + timedelta(hours=2, seconds=n),
                    )
                )
                next_id += 1
            if n == 200 and status == CommentStatus.APPROVED:
                marks["approved"] = top
        own = next_id
        rows.append(
            row(
                article.id, own, None, None, 1, CommentStatus.PENDING, start + timedelta(seconds=77)
            )
        )
        db.session.execute(insert(Comment), rows)
        db.session.commit()
        marks["own"] = own
        return marks


def row(article_id, id_, parent, root, depth, status, created_at) -> dict:
    return {
        "id": id_,
        "article_id": article_id,
        "parent_id": parent,
        "root_id": root,
        "depth": depth,
        "status": status,
        "text": f"Kommentar {id_}",
        "html": f"<p>Kommentar {id_}</p>",
        "author": "Läsare",
        "email": "lasare@example.se",
        "website": "",
        "ip": "192.0.2.0",
        "held_for": "",
        "avatar": "0123456789abcdef0123456789abcdef",
        "created_at": created_at,
        "decided_at": created_at,
    }


def reference_pages(app, own_ids: frozenset[int]) -> list[list[tuple[int, bool]]]:
    """The pages counted the plain way, in Python: (id, shown as placeholder) per top-level
    comment, sorted by time (newest first when configured) and id, cut every per_page."""
    everything = db.session.execute(select(Comment)).scalars().all()

    def visible(c):
        return c.status == CommentStatus.APPROVED or (
            c.id in own_ids and c.status == CommentStatus.PENDING
        )

    with_visible_reply = {c.root_id for c in everything if c.root_id and visible(c)}
    tops = [
        (c.created_at, c.id, not visible(c))
        for c in everything
        if c.parent_id is None and (visible(c) or c.id in with_visible_reply)
    ]
    newest = app.config["NEWEST_FIRST"]
    tops.sort(key=lambda t: ((-t[0].timestamp()) if newest else t[0].timestamp(), t[1]))
    per_page = app.config["COMMENTS_PER_PAGE"]
    shown = [(id_, placeholder) for _, id_, placeholder in tops]
    return [shown[i : i + per_page] for i in range(0, len(shown), per_page)]


@pytest.mark.parametrize("newest_first", [False, True])
@pytest.mark.parametrize("reader_has_own", [False, True])
def test_every_page_of_a_long_thread_holds_what_counting_from_the_start_gives(
    app, newest_first, reader_has_own
):
    app.config["NEWEST_FIRST"] = newest_first
    app.config["COMMENTS_PER_PAGE"] = 7
    marks = build_thread(app)
    own_ids = frozenset({marks["own"]}) if reader_has_own else frozenset()
    with app.app_context():
        expected = reference_pages(app, own_ids)
        assert any(p for page in expected for _, p in page)  # placeholders are in play
        article = threads.find_article("lang-trad")
        for _round in range(2):  # page starts found, then kept by the worker
            for number, page in enumerate(expected, start=1):
                thread = threads.load_thread(article, own_ids=own_ids, page=number)
                got = [(node.comment.id, node.placeholder) for node in thread.nodes]
                assert (thread.page, thread.pages, got) == (number, len(expected), page)
        # Out of range numbers are kept within the thread, as before.
        assert threads.load_thread(article, own_ids=own_ids, page=0).page == 1
        beyond = threads.load_thread(article, own_ids=own_ids, page=10_000)
        assert beyond.page == len(expected)
        assert [(n.comment.id, n.placeholder) for n in beyond.nodes] == expected[-1]


def test_a_new_comment_moves_the_page_starts(app):
    app.config["COMMENTS_PER_PAGE"] = 7
    app.config["NEWEST_FIRST"] = True
    build_thread(app)
    with app.app_context():
        article = threads.find_article("lang-trad")
        before = threads.load_thread(article, page=2)
        newest = Comment(
            article_id=article.id,
            depth=1,
            status=CommentStatus.APPROVED,
            text="Nyast",
            html="<p>Nyast</p>",
            author="Läsare",
            email="lasare@example.se",
        )
        db.session.add(newest)
        db.session.commit()
        article = threads.find_article("lang-trad")
        after = threads.load_thread(article, page=2)
        # The newest comment opens page 1, so page 2 begins one comment earlier.
        assert after.nodes[0].comment.id != before.nodes[0].comment.id
        assert [n.comment.id for n in after.nodes][1:] == [n.comment.id for n in before.nodes][:-1]
