"""Figures for the moderation queue and thread reads with many comments (printed, not asserted).

COMMENTSVC_SECRET_KEY=bench .venv/bin/python bench/moderation_queue.py [N]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import event

from commentsvc import create_app, threads
from commentsvc.extensions import db
from commentsvc.models.base import utcnow
from commentsvc.models.threads import Comment, CommentStatus
from commentsvc.moderation import accounts


def main(total: int) -> None:
    work = Path(tempfile.mkdtemp())
    app = create_app(
        {
            "SECRET_KEY": "bench",
            "DATABASE_URL": f"sqlite:///{work}/bench.db",
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
        }
    )
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        article = threads.create_article("bench", title="Bench")
        accounts.create_moderator("bench", "bench-password-1", role="admin")
        now = utcnow()
        for i in range(total):
            db.session.add(
                Comment(
                    article_id=article.id,
                    text=f"k{i}",
                    html=f"<p>k{i}</p>",
                    author=f"A{i}",
                    email=f"a{i}@example.se",
                    created_at=now,
                    status=CommentStatus.PENDING if i % 2 else CommentStatus.APPROVED,
                    held_for="first-time",
                )
            )
        db.session.commit()
    client = app.test_client()
    client.post("/moderation/login", data={"username": "bench", "password": "bench-password-1"})
    statements = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(1))
    for path in (
        "/moderation/",
        "/moderation/?q=a12",
        "/moderation/?status=all&page=40",
        "/thread?article=bench",
    ):
        client.get(path)
        statements.clear()
        start = time.perf_counter()
        for _ in range(10):
            response = client.get(path)
        took = (time.perf_counter() - start) / 10 * 1000
        print(f"{path:36} {response.status_code}  {took:7.1f} ms  {len(statements) // 10} queries")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)
