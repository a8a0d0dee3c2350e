"""The API's OpenAPI description: its paths, built on the shapes in ``schemas``."""

from __future__ import annotations

from typing import Any

from commentsvc.openapi.schemas import (
    ARTICLE_PARAM,
    COMMENT_ID,
    EDIT_LIMITS,
    EDIT_TOKEN,
    ERROR,
    LANG_PARAM,
    REQUEST_LINE_TOO_LONG,
    SCHEMAS,
    SITE_PARAM,
    _json,
    _ref,
    _text,
)


def openapi_description(server: str) -> dict[str, Any]:
    """The description, with this service's address as the server."""
    comments_path = {
        "get": {
            "summary": "The article and its approved comments, threaded",
            "parameters": [
                ARTICLE_PARAM,
                SITE_PARAM,
                {
                    "name": "title",
                    "in": "query",
                    "description": "a new thread's title (cut to 300 characters)",
                    "schema": {"type": "string"},
                },
                {
                    "name": "url",
                    "in": "query",
                    # No pattern or length here: they hold for a new thread only, and a
                    # description must not promise a refusal the service does not give.
                    "description": "a new thread's address: empty, or an http(s) address of "
                    "at most 500 characters on one of ALLOWED_ORIGINS (422 otherwise); not read "
                    "for a thread that exists",
                    "schema": {"type": "string"},
                },
                {
                    "name": "page",
                    "in": "query",
                    "description": "the page of top-level comments, from 1; anything that is "
                    "not a page number reads page 1, and a number past the end the last page",
                    "schema": {"type": "string"},
                },
                {
                    "name": "replies",
                    "in": "query",
                    "description": "a top-level comment's replies_cursor: the answer then holds "
                    "that comment alone with its next replies (at most REPLIES_PER_PAGE), and "
                    "its replies_cursor leads on until more_replies is 0. Follow the cursors to "
                    "read every reply once; a cursor that cannot be read gives the thread",
                    "schema": {"type": "string"},
                },
                {
                    "name": "texts",
                    "in": "query",
                    "description": "1: include the embed's texts",
                    "schema": {"type": "string"},
                },
                {
                    "name": "X-Own-Comments",
                    "in": "header",
                    "description": "edit tokens, separated by spaces: show their pending comments",
                    "schema": {"type": "string"},
                },
                LANG_PARAM,
            ],
            "responses": {
                "200": _json(_ref("Thread"), "The thread"),
                "403": ERROR,  # a host site's page naming another site
                "404": ERROR,
                "422": ERROR,
                "429": ERROR,  # too many new threads (RATELIMIT_NEW_ARTICLES, per day)
            },
        },
        "post": {
            "summary": "Post a comment or a reply",
            "parameters": [SITE_PARAM, LANG_PARAM],
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": _ref("NewComment")}},
            },
            "responses": {
                "201": _json(_ref("Created"), "Stored, published or pending"),
                "403": ERROR,
                "404": ERROR,
                "413": ERROR,
                "415": ERROR,
                "422": ERROR,
                "429": ERROR,
            },
        },
    }
    one_comment = {
        "parameters": [COMMENT_ID],
        "patch": {
            "summary": "The author edits their comment within EDIT_WINDOW_MINUTES",
            "parameters": [EDIT_TOKEN, LANG_PARAM],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["comment"],
                            "properties": {"comment": _text(EDIT_LIMITS["comment"])},
                        }
                    }
                },
            },
            "responses": {
                "200": _json(
                    {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["comment", "pending", "edit_pending"],
                        "properties": {
                            "comment": _ref("Comment"),
                            "pending": {"type": "boolean"},
                            "edit_pending": {"type": "boolean"},
                            "message": {
                                "type": "string",
                                "description": "with edit_pending: tell the author, in "
                                "their language, that the edit awaits review",
                            },
                        },
                    },
                    "Edited and judged by the whole policy again, as a new comment: "
                    "pending (true) when it now waits for review or is spam. A comment a "
                    "moderator approved keeps its approved text: the edit waits for review "
                    "(edit_pending true, comment as readers see it)",
                ),
                "403": ERROR,
                "404": ERROR,
                "415": ERROR,
                "422": ERROR,
            },
        },
        "delete": {
            "summary": "The author deletes their comment within EDIT_WINDOW_MINUTES",
            "parameters": [EDIT_TOKEN, LANG_PARAM],
            "responses": {"204": {"description": "Deleted"}, "403": ERROR, "404": ERROR},
        },
    }
    reports_path = {
        "parameters": [COMMENT_ID],
        "post": {
            "summary": "Report a published comment (a notice of illegal content, or a flag)",
            "description": "One browser (as named by `reporter`, a value the client keeps) "
            "counts once per comment; what holds the comment for review is independent "
            "readers: their networks, not `reporter`, weighed against REPORTS_TO_HOLD, from "
            "at least two networks. A comment that is not public answers 404, as a missing "
            "one. Rate-limited per address like posting.",
            "parameters": [LANG_PARAM],
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": _ref("NewReport")}},
            },
            "responses": {
                "201": _json(_ref("ReportCreated"), "Received; a moderator will decide"),
                "403": ERROR,
                "404": ERROR,
                "409": ERROR,
                "413": ERROR,
                "415": ERROR,
                "422": ERROR,
                "429": ERROR,
            },
        },
    }
    document = {
        "openapi": "3.1.0",
        "info": {
            "title": "commentsvc API",
            "version": "1",
            "description": "Comments under the articles of a news site. Write requests need "
            "Content-Type: application/json and, from a browser, an Origin in ALLOWED_ORIGINS.",
        },
        "servers": [{"url": server}],
        "paths": {
            "/api/v1/comments": comments_path,
            "/api/v1/comments/{comment_id}": one_comment,
            "/api/v1/comments/{comment_id}/reports": reports_path,
            "/api/v1/counts": {
                "get": {
                    "summary": "Approved comment counts for up to 100 articles, in one query",
                    "parameters": [
                        {
                            "name": "article",
                            "in": "query",
                            "required": False,
                            "style": "form",
                            "explode": True,
                            "description": "an article key; repeat for each article (at most "
                            "100). None: empty counts",
                            "schema": {
                                "type": "array",
                                "maxItems": 100,
                                "items": ARTICLE_PARAM["schema"],
                            },
                        },
                        SITE_PARAM,
                        LANG_PARAM,
                        {
                            "name": "fresh",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "string"},
                            "description": "any value: answer `no-store`, past every cache "
                            "(the embed sends it for a while after its reader posted)",
                        },
                    ],
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "properties": {
                                    "counts": {
                                        "type": "object",
                                        "additionalProperties": {"type": "integer"},
                                    }
                                },
                            },
                            "Counts by article key (0 for unknown keys)",
                        ),
                        "403": ERROR,
                        "404": ERROR,  # an unknown site
                        "422": ERROR,
                    },
                }
            },
            "/api/v1/stamp": {
                "get": {
                    "summary": "A fresh anti-spam stamp for a new comment's `ts`, and a "
                    "proof-of-work challenge when the site asks for one (never cached)",
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "additionalProperties": False,
                                "required": ["ts"],
                                "properties": {
                                    "ts": {"type": "string"},
                                    "altcha": {
                                        "description": "only when the site asks for proof of "
                                        "work (PROOF_OF_WORK): an ALTCHA challenge (v1). Find "
                                        "the number n from 0 to maxNumber whose SHA-256 of "
                                        "salt followed by n (decimal) is challenge, and send "
                                        "base64 of the JSON object {algorithm, challenge, "
                                        "number, salt, signature} as `altcha` (static/altcha.js "
                                        "does so). Valid for two hours, for one comment",
                                        "type": "object",
                                        "additionalProperties": False,
                                        "required": [
                                            "algorithm",
                                            "challenge",
                                            "maxNumber",
                                            "salt",
                                            "signature",
                                        ],
                                        "properties": {
                                            "algorithm": {"type": "string", "enum": ["SHA-256"]},
                                            "challenge": {"type": "string"},
                                            "maxNumber": {"type": "integer"},
                                            "salt": {"type": "string"},
                                            "signature": {"type": "string"},
                                        },
                                    },
                                },
                            },
                            "Send `ts` back when posting, and the solution of `altcha` if any; "
                            "fetch it when the form is shown",
                        )
                    },
                }
            },
            "/api/v1/openapi.json": {
                "get": {
                    "summary": "This description",
                    "responses": {"200": {"description": "OpenAPI 3.1 document"}},
                }
            },
        },
        "components": {"schemas": SCHEMAS},
    }
    return _with_every_refusal(document)


def _with_every_refusal(document: dict[str, Any]) -> dict[str, Any]:
    """Every operation may meet gunicorn's refusal of an overlong request line."""
    for path in document["paths"].values():
        for method, operation in path.items():
            if method != "parameters":
                operation["responses"].setdefault("400", REQUEST_LINE_TOO_LONG)
    return document
