"""What every route of the JSON API shares: the blueprint, writes only from the host
sites, CORS, and the JSON body and error shapes."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, request
from flask_babel import lazy_gettext as _l

from commentsvc.errors import (
    HTTP_MESSAGES,
    InvalidRequest,
    OriginNotAllowed,
    UnsupportedContentType,
    error_response,
)
from commentsvc.forms.comment import ARTICLE_KEY
from commentsvc.sites import site_of_origin
from commentsvc.weburls import own_origin, public_url, web_origin

bp = Blueprint("api", __name__, url_prefix="/api/v1")
MAX_BODY_BYTES = 64 * 1024
EDIT_TOKEN_HEADER = "X-Edit-Token"  # noqa: S105 (a header name, not a secret)
OWN_TOKENS_HEADER = "X-Own-Comments"
WRITE_METHODS = ("POST", "PATCH", "DELETE")


def allowed_origin(origin: str) -> bool:
    """A host site's origin (of any site: views/_site.py keeps each to its own site's threads)."""
    return site_of_origin(origin) is not None


@bp.before_request
def refuse_foreign_writes():
    """Writes come only from allowed host pages (or the service itself), and only as JSON.

    Browsers always send ``Origin`` on cross-origin requests and on same-origin writes, so a
    page elsewhere cannot hide where it is; a request without one is not from a browser page
    and carries no cookies the API would trust. Requiring ``application/json`` means a plain
    HTML form on another site cannot post here at all, and a script there must first pass the
    CORS preflight, which only allowed origins pass.
    """
    if request.method not in WRITE_METHODS:
        return None
    origin = request.headers.get("Origin")
    if origin is not None:
        # Our own pages are PUBLIC_URL's origin, never whatever the Host header says.
        origin = origin.rstrip("/")
        if not (allowed_origin(origin) or web_origin(origin) == own_origin()):
            raise OriginNotAllowed(_l("This website may not post comments here."))
    if request.method != "DELETE" and request.mimetype != "application/json":
        raise UnsupportedContentType(
            _l("Send the comment as JSON, with the header Content-Type: application/json.")
        )
    # A comment is at most 5000 characters: a larger body is refused before it is read, and
    # one sent without a length is cut off with 413 while it is read.
    if (request.content_length or 0) > MAX_BODY_BYTES:
        return error_response(413, "request_entity_too_large", HTTP_MESSAGES[413])
    request.max_content_length = MAX_BODY_BYTES
    return None


@bp.after_app_request
def cross_origin_headers(response):
    """CORS for the API, answered only to the host sites in ALLOWED_ORIGINS."""
    if not request.path.startswith("/api/"):
        return response
    response.vary.add("Origin")
    origin = (request.headers.get("Origin") or "").rstrip("/")
    if origin and allowed_origin(origin):
        headers = response.headers
        headers["Access-Control-Allow-Origin"] = origin
        headers["Access-Control-Allow-Credentials"] = "true"
        if request.method == "OPTIONS":
            headers["Access-Control-Allow-Methods"] = "GET, POST, PATCH, DELETE"
            headers["Access-Control-Allow-Headers"] = (
                f"Content-Type, {EDIT_TOKEN_HEADER}, {OWN_TOKENS_HEADER}"
            )
            headers["Access-Control-Max-Age"] = "600"
    return response


def json_object() -> dict[str, Any]:
    """The request's body as a JSON object, or a clear 4xx."""
    try:
        body = json.loads(request.get_data(cache=True) or b"")
    except (ValueError, RecursionError) as error:  # UnicodeDecodeError is a ValueError
        raise InvalidRequest(_l("The body is not valid JSON."), field="body") from error
    if not isinstance(body, dict):
        raise InvalidRequest(
            _l('The body must be a JSON object, like {"comment": "…", "author": "…"}.'),
            field="body",
        )
    return body


def field_errors(*sources: dict) -> dict[str, list]:
    merged: dict[str, list] = {}
    for source in sources:
        for name, messages in source.items():
            if name != "csrf_token":
                merged[name] = list(messages)
    return merged


def invalid_fields(errors: dict[str, list]):
    return error_response(422, "invalid", HTTP_MESSAGES[422], errors)


def avatar_url(key: str) -> str:
    return public_url("public.avatar", key=key)


def article_key(value: str | None) -> str:
    key = (value or "").strip()
    if not ARTICLE_KEY.fullmatch(key):
        raise InvalidRequest(
            _l("The article key must be 1–200 characters without spaces or control characters."),
            field="article",
        )
    return key
