"""What a host page downloads for the script embed: /embed.js (with its CSS) raw and gzipped.

    .venv/bin/python bench/embed_size.py [path/to/isso/embed.min.js]

The budget is 6,000 B gzipped with the styles (it was 10 KB at first): the script
is served minified by rjsmin. Isso's embed.min.js is the peer reference: pass its path
to measure it (pip download isso; it is in the wheel under isso/js/), else its published
figure, about 22 KB gzipped, is printed.
"""

from __future__ import annotations

import gzip
import os
import sys

from commentsvc import create_app

BUDGET = 6000
ISSO_PUBLISHED_GZIP = 22 * 1024


def sizes(data: bytes) -> tuple[int, int]:
    return len(data), len(gzip.compress(data, compresslevel=9))


def main() -> None:
    os.environ.setdefault("COMMENTSVC_INSTANCE_PATH", "/tmp/commentsvc-bench")
    app = create_app({"SECRET_KEY": "bench", "TESTING": True, "DATABASE_URL": "sqlite://"})
    body = app.test_client().get("/embed.js").get_data()
    raw, gz = sizes(body)
    print(f"commentsvc /embed.js (CSS inside): {raw:6d} B raw, {gz:6d} B gzipped "
          f"({gz / BUDGET:.0%} of the {BUDGET} B budget)")  # fmt: skip
    if len(sys.argv) > 1:
        with open(sys.argv[1], "rb") as isso:
            iraw, igz = sizes(isso.read())
        print(f"Isso embed.min.js (measured):      {iraw:6d} B raw, {igz:6d} B gzipped")
    else:
        print(f"Isso embed.min.js (published):     about {ISSO_PUBLISHED_GZIP} B gzipped")
    if gz > BUDGET:
        sys.exit("over budget")


if __name__ == "__main__":
    main()
