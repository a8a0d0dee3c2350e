"""The ceiling: a WSGI app that answers every request with one precomputed response from
memory (the thread as commentsvc serves it), under the same gunicorn settings."""

import os

with open(os.environ["BASELINE_BODY"], "rb") as f:
    BODY = f.read()
HEADERS = [
    ("Content-Type", os.environ.get("BASELINE_CONTENT_TYPE", "application/json")),
    ("Content-Length", str(len(BODY))),
]


def application(environ, start_response):
    start_response("200 OK", HEADERS)
    return [BODY]
