"""Page 1 and the last page of a 10,000-comment thread on PostgreSQL, read through the real
service function (``threads.load_thread``), timed in process.

    python bench/paging.py postgresql://postgres@127.0.0.1:5432/EMPTY_DB [--write]

The database is wiped, migrated and filled as for EXPLAIN (bench/pgdata.py: 2,000 articles
of 50 comments and the thread ``het-trad`` of 10,000, of which 2,000 top-level), plus a thread
``lang-trad`` of 10,000 top-level comments (every one on its own, 200 pages). Each page is read
``--repeat`` times after a warm-up; the median and the 95th percentile are printed. A page
after the first is timed twice: with its page starts already kept by the worker (every read
but the first of a thread version), and found anew (the first read after a write, and every
read by a reader with pending comments of their own). ``--write`` puts the table into
bench/RESULTS.md, replacing an earlier one.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

import pgdata  # noqa: E402
from sqlalchemy import text  # noqa: E402

from commentsvc import create_app, memory, threads  # noqa: E402
from commentsvc.extensions import db  # noqa: E402

SECTION = "## Paging on PostgreSQL: the first and the last page of 10,000 comments"

LONE_TOPS = """
INSERT INTO article (key, title, url, closed, created_at)
VALUES ('lang-trad', 'Lång tråd', 'https://www.example.se/lang', false, now());
INSERT INTO comment (article_id, parent_id, root_id, depth, status, text, html, author, email,
                     website, ip, held_for, avatar, created_at, decided_at)
SELECT (SELECT id FROM article WHERE key = 'lang-trad'), NULL, NULL, 1,
       CASE WHEN n % 97 = 11 THEN 'spam' ELSE 'approved' END,
       'Kommentar ' || n, '<p>Kommentar ' || n || '</p>', 'Läsare ' || (n % 97),
       'lasare' || (n % 97) || '@example.se', '', '192.0.2.0', '', md5(n::text)::varchar(32),
       now() - interval '20 days' + n * interval '1 second',
       now() - interval '20 days' + n * interval '1 second'
FROM generate_series(1, 10000) AS n;
ANALYZE
"""


def timed(read, repeat: int) -> tuple[float, float]:
    """Median and 95th percentile of ``read`` in milliseconds."""
    read()
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        read()
        times.append((time.perf_counter() - began) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", nargs="?", default=os.environ.get("BENCH_DATABASE_URL", ""))
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--write", action="store_true", help="write into bench/RESULTS.md")
    parser.add_argument("--label", default="", help="a name for this code in the table")
    args = parser.parse_args()
    if not args.url.startswith("postgres"):
        print(__doc__)
        return 2
    os.environ["COMMENTSVC_INSTANCE_PATH"] = tempfile.mkdtemp()
    app = create_app({"SECRET_KEY": "bench", "TESTING": True, "DATABASE_URL": args.url})
    keyset = hasattr(threads, "page_starts")
    label = args.label or ("keyset" if keyset else "OFFSET")
    lines = []
    with app.app_context():
        db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        db.session.commit()
        from flask_migrate import upgrade

        upgrade()
        with db.engine.begin() as connection:
            pgdata.fill(connection)
            for statement in LONE_TOPS.split(";"):
                connection.execute(text(statement))
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
        for key in ("het-trad", "lang-trad"):
            article = threads.find_article(key)
            summary = threads.thread_summary(article)
            last = threads.page_and_pages(summary, 10**9)[1]
            db.session.commit()

            def read(page=1, fresh=False, article=article, summary=summary):
                if fresh and keyset:
                    app.extensions["commentsvc_memory"] = memory.WorkerMemory(
                        app.config["THREAD_CACHE_ENTRIES"],
                        app.config["THREAD_CACHE_MEGABYTES"] << 20,
                    )  # nothing kept: the page starts are found again
                thread = threads.load_thread(article, page=page, summary=summary)
                assert thread.page == page and thread.nodes
                db.session.rollback()  # a new transaction per read, as a request has

            row = [f"{label}", f"{key} ({summary.top_count:,} top-level, {last} pages)"]
            first = timed(read, args.repeat)
            kept = timed(lambda last=last: read(last), args.repeat)
            row += [f"{first[0]:.2f} / {first[1]:.2f}", f"{kept[0]:.2f} / {kept[1]:.2f}"]
            if keyset:
                fresh = timed(lambda last=last: read(last, fresh=True), args.repeat)
                row.append(f"{fresh[0]:.2f} / {fresh[1]:.2f}")
            else:
                row.append("(no page starts)")
            lines.append("| " + " | ".join(row) + " |")
    header = [
        "| code | thread | page 1, ms p50 / p95 | last page, ms p50 / p95 | "
        "last page, page starts found anew |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    print("\n".join(header + lines))
    if args.write:
        write(lines)
    return 0


def write(lines: list[str]) -> None:
    """Add these rows to the section of bench/RESULTS.md (rows of the same code replaced)."""
    results = BENCH / "RESULTS.md"
    report = results.read_text() if results.exists() else ""
    label = lines[0].split("|")[1].strip()
    if SECTION in report:
        before, section = report.split(SECTION, 1)
        kept = [
            line
            for line in section.splitlines()
            if re.match(r"\| (?!code|---)", line) and line.split("|")[1].strip() != label
        ]
    else:
        before, kept = report.rstrip() + "\n\n", []
    body = [
        SECTION,
        "",
        "`bench/paging.py` (PostgreSQL 15, in process, one `threads.load_thread` per read: the",
        "page's top-level comments and their replies; the thread's summary is passed in, as the",
        "views do). OFFSET is the code before keyset paging, run by the same script.",
        "",
        "| code | thread | page 1, ms p50 / p95 | last page, ms p50 / p95 | "
        "last page, page starts found anew |",
        "| --- | --- | ---: | ---: | ---: |",
        *sorted(kept + lines, key=lambda line: line.split("|")[2]),
        "",
    ]
    results.write_text(before + "\n".join(body))


if __name__ == "__main__":
    sys.exit(main())
