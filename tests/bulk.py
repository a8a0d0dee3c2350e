"""Big threads in one statement, for tests that need thousands of comments fast.

Rows are what ``threads.post_comment`` would store (sanitized HTML, root and depth), but
written with one bulk INSERT instead of thousands of service calls.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, insert, select, text

from commentsvc import threads
from commentsvc.extensions import db
from commentsvc.models.base import utcnow
from commentsvc.models.threads import Comment, CommentStatus


def bulk_thread(app, key: str, count: int, *, replies_per_top: int = 4) -> list[int]:
    """Add ``count`` approved comments to the article: top-level ones, each followed by a
    chain of replies. Returns the ids of the top-level comments, oldest first."""
    with app.app_context():
        article = threads.find_article(key)
        first_id = (db.session.execute(select(func.max(Comment.id))).scalar() or 0) + 1
        start = utcnow() - timedelta(days=1)
        rows, tops = [], []
        top_id = previous = None
        depth = 0
        for n in range(count):
            comment_id = first_id + n
            if n % (replies_per_top + 1) == 0:
                top_id, parent, depth = comment_id, None, 1
                tops.append(comment_id)
            else:
                parent, depth = previous, min(depth + 1, app.config["MAX_DEPTH"])
            rows.append(
                {
                    "id": comment_id,
                    "article_id": article.id,
                    "parent_id": parent,
                    "root_id": None if parent is None else top_id,
                    "depth": depth,
                    "status": CommentStatus.APPROVED,
                    "text": f"Kommentar {n}",
                    "html": f"<p>Kommentar {n}</p>",
                    "author": f"Läsare {n % 97}",
                    "email": f"lasare{n % 97}@example.se",
                    "website": "",
                    "ip": "192.0.2.0",
                    "held_for": "",
                    "avatar": "0123456789abcdef0123456789abcdef",
                    "created_at": start + timedelta(seconds=n),
                    "decided_at": start + timedelta(seconds=n),
                }
            )
            previous = comment_id
        db.session.execute(insert(Comment), rows)
        if db.engine.dialect.name == "postgresql":
            # Explicit ids do not move the sequence; later comments must not collide.
            db.session.execute(
                text("SELECT setval(pg_get_serial_sequence('comment', 'id'), max(id)) FROM comment")
            )
        db.session.commit()
        return tops


def big_threads(app, sizes=(10, 1_000, 10_000), replies_per_top: int = 4):
    """Articles ``stor-<size>`` with that many comments each: (size, key), smallest first."""
    for size in sizes:
        key = f"stor-{size}"
        with app.app_context():
            threads.create_article(key, title=f"{size} kommentarer")
            db.session.commit()
        bulk_thread(app, key, size, replies_per_top=replies_per_top)
        yield size, key


def bulk_replies(app, key: str, root_id: int, count: int, *, hidden_every: int = 0) -> set[int]:
    """Add ``count`` approved replies under the top-level comment ``root_id``, one a second:
    most answer it directly, every seventh answers the latest of those (a level deeper); with
    ``hidden_every``, each such reply is followed by one that waits or is spam (near misses a
    reader must never see). Returns the ids of the approved ones."""
    hidden_kinds = (CommentStatus.PENDING, CommentStatus.SPAM)
    with app.app_context():
        article = threads.find_article(key)
        first_id = (db.session.execute(select(func.max(Comment.id))).scalar() or 0) + 1
        start = utcnow() - timedelta(hours=12)
        rows, approved, previous, n = [], set(), None, 0
        comment_id = first_id
        while len(approved) < count:
            deeper = previous is not None and len(approved) % 7 == 6
            hidden = bool(hidden_every) and n % hidden_every == hidden_every - 1
            status = hidden_kinds[n % 2] if hidden else CommentStatus.APPROVED
            rows.append(
                {
                    "id": comment_id,
                    "article_id": article.id,
                    "parent_id": previous if deeper else root_id,
                    "root_id": root_id,
                    "depth": 3 if deeper else 2,
                    "status": status,
                    "text": f"Svar {n}",
                    "html": f"<p>Svar {n}</p>",
                    "author": f"Läsare {n % 97}",
                    "email": f"lasare{n % 97}@example.se",
                    "website": "",
                    "ip": "192.0.2.0",
                    "held_for": "",
                    "avatar": "",
                    "created_at": start + timedelta(seconds=n),
                }
            )
            if not hidden:
                approved.add(comment_id)
                previous = previous if deeper else comment_id
            comment_id += 1
            n += 1
        db.session.execute(insert(Comment), rows)
        if db.engine.dialect.name == "postgresql":
            db.session.execute(
                text("SELECT setval(pg_get_serial_sequence('comment', 'id'), max(id)) FROM comment")
            )
        db.session.commit()
        return approved
