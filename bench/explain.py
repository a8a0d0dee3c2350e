"""EXPLAIN ANALYZE of the hot queries on PostgreSQL with a realistic amount of data.

    python bench/explain.py postgresql://postgres@127.0.0.1:5432/EMPTY_DB

The database is wiped, migrated and filled (2,000 articles × 50 comments, and one thread of
10,000). The thread read's statements are captured while the real service functions run, so
what is explained is exactly what the service sends. It prints each plan and the indexes it
uses, and exits 1 when a hot query reads the whole comment table (a Seq Scan on comment).
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import pgdata
from sqlalchemy import event, func, select, text

from commentsvc import create_app, threads
from commentsvc.extensions import db
from commentsvc.models.threads import Article, Comment, CommentStatus


def counts_query(keys: list[str]):
    """Approved comments per article for a list of articles, in one query (the counts API).

    A count per article as a correlated subquery: PostgreSQL answers each from the index
    ix_comment_thread alone (an index-only scan). The plainer LEFT JOIN ... GROUP BY form
    makes the planner hash-join the whole comment table once the list is long (100 keys).
    """
    approved = (
        select(func.count())
        .where(Comment.article_id == Article.id, Comment.status == CommentStatus.APPROVED)
        .scalar_subquery()
    )
    return select(Article.key, approved).where(Article.key.in_(keys))


def queue_query():
    """The moderation queue: the oldest pending comments across all articles."""
    return (
        select(Comment)
        .where(Comment.status == CommentStatus.PENDING)
        .order_by(Comment.created_at, Comment.id)
        .limit(50)
    )


def captured(app, action) -> list[tuple[str, dict]]:
    """The statements (with their parameters) that ``action`` sends to the database."""
    seen: list[tuple[str, dict]] = []

    def listen(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        action()
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)
    return seen


def main() -> int:
    url = (sys.argv[1:] or [os.environ.get("BENCH_DATABASE_URL", "")])[0]
    if not url.startswith("postgres"):
        print(__doc__)
        return 2
    os.environ["COMMENTSVC_INSTANCE_PATH"] = tempfile.mkdtemp()
    app = create_app({"SECRET_KEY": "explain", "TESTING": True, "DATABASE_URL": url})
    with app.app_context():
        db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        db.session.commit()
        from flask_migrate import upgrade

        upgrade()
        with db.engine.begin() as connection:
            pgdata.fill(connection)
        # What autovacuum does soon after a load: the visibility map lets index-only scans be.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
        total = db.session.execute(select(func.count(Comment.id))).scalar_one()
        articles = db.session.execute(select(func.count(Article.id))).scalar_one()
        print(f"{total:,} comments in {articles:,} articles\n")

        hot = threads.find_article("het-trad")
        summary = threads.thread_summary(hot)
        statements = {
            "thread: article by key": captured(app, lambda: threads.find_article("het-trad")),
        }
        read = captured(app, lambda: threads.load_thread(hot, page=1))
        statements["thread: counts and version"] = read[:1]
        statements["thread: page 1 of top-level comments"] = read[1:2]
        statements["thread: replies by root_id"] = read[2:3]
        last_page = -(-summary.top_count // app.config["COMMENTS_PER_PAGE"])
        # The last page: where the pages begin (once per version of the thread), then the page.
        last_read = captured(app, lambda: threads.load_thread(hot, page=last_page, summary=summary))
        statements["thread: where each page begins"] = last_read[:1]
        statements[f"thread: page {last_page} (the last), from where it begins"] = last_read[1:2]
        keys = [f"artikel-{n}" for n in range(1, 101)]
        for name, query in (
            ("counts for 100 articles", counts_query(keys)),
            ("moderation queue", queue_query()),
        ):
            statements[name] = captured(app, lambda q=query: db.session.execute(q).all())

        failed = False
        with db.engine.connect() as connection:
            for name, found in statements.items():
                statement, parameters = found[0]
                plan = [
                    row[0]
                    for row in connection.exec_driver_sql(
                        "EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters
                    )
                ]
                indexes = sorted(
                    set(re.findall(r"(?:using|on) (ix_\w+|pk_\w+|uq_\w+)", "\n".join(plan)))
                )
                seq = any("Seq Scan on comment" in line for line in plan)
                failed |= seq
                used = "SEQ SCAN on comment" if seq else "indexes " + ", ".join(indexes)
                print(f"== {name}: {used}")
                print("\n".join("   " + line for line in plan), end="\n\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
