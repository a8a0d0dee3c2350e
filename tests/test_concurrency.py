"""200 comments posted at once to one thread, replies to each other included, through
several gunicorn worker processes: every one stored exactly once, parent and depth right,
and no reader shown a database error (SQLite with WAL and a busy timeout; PostgreSQL)."""

from __future__ import annotations

import random
import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from commentsvc.extensions import db
from commentsvc.models.threads import Comment
from tests.servers import Browser, comment_id_from, gunicorn

READERS = 8
POSTS_EACH = 25  # 8 × 25 = 200


@pytest.mark.slow
def test_200_concurrent_comments_are_all_stored_once_in_their_place(
    app, article, database_url, tmp_path
):
    acknowledged: dict[int, tuple[str, int | None]] = {}  # id -> (text, parent asked for)
    failures: list[tuple[int, str]] = []
    lock = threading.Lock()

    with gunicorn(database_url, tmp_path, workers=4, threads=2, MODERATION="none") as base:

        def reader(number: int) -> None:
            browser = Browser(base)
            token = browser.open_thread(article)
            chance = random.Random(number)
            for n in range(POSTS_EACH):
                with lock:
                    known = list(acknowledged)
                # Two of three answer someone (often another reader's newest comment).
                parent = chance.choice(known[-20:]) if known and n % 3 else None
                text = f"Läsare {number}, kommentar {n}"
                answer = browser.post_comment(article, token, text, parent)
                if answer.status != 303:
                    with lock:
                        failures.append(
                            (
                                answer.status,
                                re.findall(r"class=\"error[^>]*>([^<]+)", answer.text)
                                or answer.text[-2000:],
                            )
                        )
                    continue
                with lock:
                    acknowledged[comment_id_from(answer)] = (text, parent)

        with ThreadPoolExecutor(READERS) as pool:
            list(pool.map(reader, range(READERS)))

    assert failures == []
    assert len(acknowledged) == READERS * POSTS_EACH
    with app.app_context():
        stored = {c.id: c for c in db.session.execute(select(Comment)).scalars()}
        assert len(stored) == READERS * POSTS_EACH  # each exactly once: no duplicates
        assert {c.text for c in stored.values()} == {t for t, _ in acknowledged.values()}
        max_depth = app.config["MAX_DEPTH"]
        replies = 0
        for comment_id, (text, parent_id) in acknowledged.items():
            comment = stored[comment_id]
            assert comment.text == text
            assert comment.parent_id == parent_id
            if parent_id is None:
                assert (comment.depth, comment.root_id) == (1, None)
            else:
                replies += 1
                parent = stored[parent_id]
                assert comment.depth == min(parent.depth + 1, max_depth)
                assert comment.root_id == (parent.root_id or parent.id)
        assert replies > 100


def test_sanitizing_in_many_threads_at_once_keeps_each_comment_its_own():
    from commentsvc.sanitize import clean_html

    texts = [f"Kommentar {n} med <b>fet</b> text och https://example.se/{n}" for n in range(400)]
    expected = [clean_html(t) for t in texts]
    with ThreadPoolExecutor(8) as pool:
        for _ in range(3):
            assert list(pool.map(clean_html, texts)) == expected
