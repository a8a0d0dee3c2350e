"""A realistic PostgreSQL database for the benchmarks and EXPLAIN: thousands of articles with
a normal discussion each, and one hot thread with ten thousand comments.

Built with ``generate_series`` in the database itself, so 100,000 rows take seconds. The shape
is what ``threads.post_comment`` stores: every fifth comment top-level, the others a chain of
replies under it (depth up to 5), a few pending and a few spam.
"""

from __future__ import annotations

from sqlalchemy import text

ARTICLE_ROWS = """
INSERT INTO article (key, title, url, closed, created_at)
SELECT 'artikel-' || a, 'Artikel ' || a, 'https://www.example.se/' || a, false,
       now() - interval '30 days'
FROM generate_series(1, :articles) AS a
"""

# Comment n of article a gets id base + a*per + n; top-level every fifth, replies chained.
COMMENT_ROWS = """
INSERT INTO comment (id, article_id, parent_id, root_id, depth, status, text, html, author,
                     email, website, ip, held_for, avatar, created_at, decided_at)
SELECT :base + a * :per + n,
       a_id,
       CASE WHEN n % 5 = 0 THEN NULL ELSE :base + a * :per + n - 1 END,
       CASE WHEN n % 5 = 0 THEN NULL ELSE :base + a * :per + n - n % 5 END,
       1 + n % 5,
       CASE WHEN n % 53 = 7 THEN 'pending' WHEN n % 97 = 11 THEN 'spam' ELSE 'approved' END,
       'Kommentar ' || n, '<p>Kommentar ' || n || '</p>',
       'Läsare ' || (n % 97), 'lasare' || (n % 97) || '@example.se', '', '192.0.2.0', '',
       md5(n::text)::varchar(32),
       now() - interval '29 days' + n * interval '1 second',
       now() - interval '29 days' + n * interval '1 second'
FROM (SELECT id AS a_id, id AS a FROM article WHERE key LIKE :pattern) AS articles,
     generate_series(0, :per - 1) AS n
"""


def fill(connection, *, articles: int = 2000, per_article: int = 50, hot: int = 10_000) -> None:
    """Fill an empty, migrated database: ``articles`` × ``per_article`` comments, plus the
    article ``het-trad`` with ``hot`` comments."""
    connection.execute(text(ARTICLE_ROWS), {"articles": articles})
    connection.execute(text(COMMENT_ROWS), {"base": 0, "per": per_article, "pattern": "artikel-%"})
    connection.execute(
        text(
            "INSERT INTO article (key, title, url, closed, created_at) "
            "VALUES ('het-trad', 'Het tråd', 'https://www.example.se/het', false, now())"
        )
    )
    connection.execute(
        text(COMMENT_ROWS),
        {"base": (articles + 2) * per_article, "per": hot, "pattern": "het-trad"},
    )
    connection.execute(
        text("SELECT setval(pg_get_serial_sequence('comment', 'id'), max(id)) FROM comment")
    )
    connection.execute(text("ANALYZE"))
