"""How fast and how lean the WordPress import is on a large generated export.

    .venv/bin/python bench/import_wordpress.py [COMMENTS] [DATABASE_URL]

Prints the file size, the time of the check pass and of the whole import, comments per
second, and the peak resident memory (the import streams, so it should stay flat).
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

COMMENTS = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
PER_POST = 50


def write_export(path: Path, comments: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
            'xmlns:wp="http://wordpress.org/export/1.2/"><channel>'
            "<link>https://bench.example.se</link>\n"
        )
        cid = 0
        for post in range(comments // PER_POST):
            out.write(
                f"<item><title>Nyhet {post}</title><link>https://bench.example.se/{post}/</link>"
                f"<wp:post_id>{post}</wp:post_id><wp:post_name>nyhet-{post}</wp:post_name>"
                "<wp:status>publish</wp:status><wp:comment_status>open</wp:comment_status>"
                "<wp:post_date_gmt>2020-01-01 00:00:00</wp:post_date_gmt>\n"
            )
            for i in range(PER_POST):
                cid += 1
                parent = cid - 1 if i % 3 else 0  # chains of replies, as real threads have
                out.write(
                    f"<wp:comment><wp:comment_id>{cid}</wp:comment_id>"
                    f"<wp:comment_author>Läsare {cid}</wp:comment_author>"
                    f"<wp:comment_author_email>l{cid}@example.se</wp:comment_author_email>"
                    "<wp:comment_author_IP>203.0.113.7</wp:comment_author_IP>"
                    "<wp:comment_date_gmt>2020-01-02 10:00:00</wp:comment_date_gmt>"
                    "<wp:comment_content><![CDATA[Ett <em>bra</em> inlägg, se "
                    "https://example.se.\n\nTack!]]></wp:comment_content>"
                    "<wp:comment_approved>1</wp:comment_approved><wp:comment_type></wp:comment_type>"
                    f"<wp:comment_parent>{parent}</wp:comment_parent></wp:comment>\n"
                )
            out.write("</item>\n")
        out.write("</channel></rss>\n")


def main() -> None:
    workdir = Path(tempfile.mkdtemp())
    os.environ["COMMENTSVC_INSTANCE_PATH"] = str(workdir)
    from flask_migrate import upgrade

    from commentsvc import create_app
    from commentsvc.moving import wordpress

    url = sys.argv[2] if len(sys.argv) > 2 else f"sqlite:///{workdir / 'bench.db'}"
    export = workdir / "export.xml"
    write_export(export, COMMENTS)
    app = create_app({"SECRET_KEY": "bench", "TESTING": True, "DATABASE_URL": url})
    with app.app_context():
        upgrade()
        start = time.perf_counter()
        wordpress.check(str(export))
        checked = time.perf_counter() - start
        start = time.perf_counter()
        summary = wordpress.import_file(str(export), now=datetime.now(UTC))
        total = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    size = export.stat().st_size / 1e6
    print(f"{summary.stored} comments, {size:.1f} MB file, engine {url.split(':')[0]}")
    print(
        f"check pass {checked:.2f} s; whole import {total:.2f} s "
        f"({summary.stored / total:.0f} comments/s); peak RSS {peak:.0f} MB"
    )


if __name__ == "__main__":
    main()
