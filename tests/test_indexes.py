"""The thread read uses the indexes meant for it, on SQLite (which keeps no statistics, so a
query's shape decides) and on PostgreSQL. bench/explain.py shows the plans on a big database."""

from __future__ import annotations

import re

from sqlalchemy import event

from commentsvc import threads
from commentsvc.extensions import db
from commentsvc.sites import config_for
from tests.bulk import bulk_thread


def read_statements(app, key: str) -> list[tuple[str, object]]:
    seen = []

    def listen(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    with app.test_request_context():
        article = threads.find_article(key)
        config_for(article.site_id)  # the sites, read once per request before the thread
        event.listen(db.engine, "before_cursor_execute", listen)
        try:
            threads.load_thread(article)
        finally:
            event.remove(db.engine, "before_cursor_execute", listen)
    return seen


def plan(app, statement: str, parameters) -> str:
    with app.app_context(), db.engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
            return "\n".join(row[-1] for row in rows)
        connection.exec_driver_sql("ANALYZE")
        rows = connection.exec_driver_sql("EXPLAIN " + statement, parameters)
        return "\n".join(row[0] for row in rows)


def test_each_query_of_a_thread_read_uses_its_index(app, article, add_comment):
    # Other threads on the site, so that reading the whole table would cost (PostgreSQL
    # plans by statistics; SQLite by the shape of the query and the indexes).
    with app.app_context():
        for n in range(3):
            threads.create_article(f"annan-{n}", title="Annan")
            db.session.commit()
    for n in range(3):
        bulk_thread(app, f"annan-{n}", 1500)
    top = add_comment(article, "Först")
    add_comment(article, "Svar", parent=top)
    summary, page, replies = (plan(app, *found) for found in read_statements(app, article))
    assert "ix_comment_thread" in summary
    assert "ix_comment_top" in page
    assert "ix_comment_root" in replies
    for text in (summary, page, replies):
        assert not re.search(r"\bSCAN comment\b|Seq Scan on comment", text), text
