"""The ceiling: a WSGI app that answers with precomputed responses from memory (the thread as
commentsvc serves it), under the same gunicorn settings: the iframe page at ``/embed``, the
JSON thread at every other path. Each body keeps the Content-Type commentsvc gave it."""

import os


def _response(prefix: str, default_type: str) -> tuple[list[bytes], list[tuple[str, str]]]:
    with open(os.environ[f"{prefix}_BODY"], "rb") as f:
        body = f.read()
    content_type = os.environ.get(f"{prefix}_CONTENT_TYPE", default_type)
    return [body], [("Content-Type", content_type), ("Content-Length", str(len(body)))]


JSON = _response("BASELINE", "application/json")
# Without a page (an older run, or a build with no /embed) /embed answers the JSON as well.
EMBED = (
    _response("BASELINE_EMBED", "text/html; charset=utf-8")
    if ("BASELINE_EMBED_BODY" in os.environ)
    else JSON
)


def application(environ, start_response):
    body, headers = EMBED if environ["PATH_INFO"] == "/embed" else JSON
    start_response("200 OK", headers)
    return body
