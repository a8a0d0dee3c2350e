"""The JSON shapes of the API's OpenAPI description; lengths come from the forms' declarations."""

from __future__ import annotations

from typing import Any

from commentsvc.forms.comment import (
    ARTICLE_KEY,
    CommentForm,
    EditForm,
    declared_limits,
)
from commentsvc.forms.report import REPORTER_MAX, ReportForm
from commentsvc.setting_specs import LANGUAGES

# White space as Python's str.strip() and re's \s take it, spelled out: the description's
# patterns are ECMA-262 regular expressions, whose \s differs (it lacks U+001C-U+001F and
# U+0085, and has U+FEFF), and the description must refuse exactly what the service does.
SPACE = r"\t\n\x0b\x0c\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"


def ecma(pattern: str) -> str:
    """A Python pattern as the description writes it: every ``\\s`` spelled out (``SPACE``)."""
    return pattern.replace(r"[^\s", f"[^{SPACE}").replace(r"\s", f"[{SPACE}]")


# Surrounding white space does not count (the form strips it), so the key may have some.
ARTICLE_KEY_PATTERN = ecma(rf"^\s*{ARTICLE_KEY.pattern}\s*$")
# A required text must hold something besides white space (and NUL, which the form drops):
# "   " is refused with a field error like "".
NON_BLANK = ecma(r"[^\s\x00]")
# What the website field takes (weburls.clean_web_url): empty, or an http(s) address or a bare
# host name (https:// is put in front), without white space or control characters.
WEB_ADDRESS = ecma(
    r"^\s*(?:(?:[Hh][Tt][Tt][Pp][Ss]?://)?[\w.-]+(?::(?:[0-9]{1,4}|[1-5][0-9]{4}))?"
    r"(?:[/?#][^\s\x00-\x1f\x7f-\x9f\\]*)?)?\s*$"
)


def _text(limits: dict[str, Any], **schema: Any) -> dict[str, Any]:
    """A text field's schema with the form's limits: ``maxLength``, and ``minLength`` 1 and
    something besides white space when the field is required (a blank text is refused too,
    with a field error)."""
    required = {"minLength": 1, "pattern": NON_BLANK} if limits["required"] else {}
    return {"type": "string", **schema, "maxLength": limits["max"], **required}


COMMENT_LIMITS = declared_limits(CommentForm)
EDIT_LIMITS = declared_limits(EditForm)
REPORT_LIMITS = declared_limits(ReportForm)


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERROR = _json(_ref("Error"), "A JSON error with a message in the reader's language")
# Before the service sees a request, gunicorn refuses a request line (method, path and query)
# longer than its limit_request_line (4094 bytes) with its own short HTML page. Behind the
# documented nginx the proxy's own limit answers first (docs/operating.md).
REQUEST_LINE_TOO_LONG = {
    "description": "A request that cannot be read: a JSON error from the service, or, for a "
    "request line (method, path and query) longer than 4094 bytes, a short HTML page from the "
    "HTTP server (gunicorn) before the service sees it",
    "content": {
        "application/json": {"schema": _ref("Error")},
        "text/html": {"schema": {"type": "string"}},
    },
}
ARTICLE_PARAM = {
    "name": "article",
    "in": "query",
    "required": True,
    "description": "The article key: 1–200 printable characters, no white space",
    "schema": {"type": "string", "pattern": ARTICLE_KEY_PATTERN},
}
SITE_PARAM = {
    "name": "site",
    "in": "query",
    "description": "The site whose threads these are, where the request's Origin cannot tell "
    "(a request from no web page, or from the service's own pages). A request from a host "
    "site's page is for that site: naming another gives 403. None: the default site",
    "schema": {"type": "string", "pattern": "^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$"},
}
LANG_PARAM = {
    "name": "lang",
    "in": "query",
    "description": f"Language of texts and messages: {' or '.join(LANGUAGES)}; any other value "
    "(or none) gives the service's LANGUAGE",
    # Not an enum: another value is not refused, it falls back (commentsvc.select_locale).
    "schema": {"type": "string", "examples": list(LANGUAGES)},
}
EDIT_TOKEN = {
    "name": "X-Edit-Token",
    "in": "header",
    "required": True,
    "description": "The edit_token returned when the comment was posted",
    "schema": {"type": "string"},
}
COMMENT_ID = {"name": "comment_id", "in": "path", "required": True, "schema": {"type": "integer"}}

SCHEMAS: dict[str, Any] = {
    "NewReport": {
        "type": "object",
        "required": ["reason"],
        # A notice of illegal content (DSA art. 16) needs all of these; a flag only a reason.
        "if": {"properties": {"reason": {"const": "illegal"}}},
        "then": {
            "required": ["explanation", "name", "email", "good_faith"],
            "properties": {
                "explanation": {"pattern": NON_BLANK},
                "name": {"pattern": NON_BLANK},
                "email": {"pattern": NON_BLANK},
                "good_faith": {"const": True},
            },
        },
        "properties": {
            "reason": {
                "type": "string",
                "enum": ["illegal", "harassment", "spam", "personal-data", "off-topic", "other"],
            },
            "explanation": _text(REPORT_LIMITS["explanation"], description="required for illegal"),
            "name": _text(REPORT_LIMITS["name"], description="required for illegal"),
            "email": _text(
                REPORT_LIMITS["email"],
                format="email",
                description="required for illegal; gets a receipt and the decision",
            ),
            "good_faith": {
                "type": "boolean",
                "description": "required (true) for illegal: the notifier confirms in good faith "
                "that the information is correct and complete",
            },
            "reporter": {
                "type": "string",
                "maxLength": REPORTER_MAX,
                "description": "a random id the client keeps for this browser (localStorage)",
            },
        },
    },
    "ReportCreated": {
        "type": "object",
        "required": ["report", "message"],
        "properties": {
            "report": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "comment": {"type": "integer"},
                    "reason": {"type": "string"},
                    "created": {"type": "string", "format": "date-time"},
                },
            },
            "message": {"type": "string"},
        },
    },
    "Error": {
        "type": "object",
        "additionalProperties": False,
        "required": ["error", "message"],
        "properties": {
            "error": {"type": "string", "description": "machine-readable code"},
            "message": {"type": "string"},
            "errors": {
                "type": "object",
                "description": "messages per field, shown beside the field",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
            },
        },
    },
    "Comment": {
        "type": "object",
        "additionalProperties": False,
        "description": "Public fields only: never the email or the address",
        "properties": {
            "id": {"type": "integer"},
            "parent": {"type": ["integer", "null"]},
            "depth": {"type": "integer", "minimum": 1},
            "author": {"type": "string"},
            "website": {"type": ["string", "null"], "format": "uri"},
            "avatar": {"type": ["string", "null"], "format": "uri"},
            "html": {"type": "string", "description": "sanitized HTML"},
            "text": {
                "type": "string",
                "description": "the text as typed: only for the author's own comments",
            },
            "created": {"type": "string", "format": "date-time"},
            "created_text": {
                "type": "string",
                "description": "the time as readers see it: the service's TIMEZONE, the "
                "request's language",
            },
            "edited": {"type": ["string", "null"], "format": "date-time"},
            "pending": {
                "type": "boolean",
                "description": "true only for the reader's own comment awaiting moderation",
            },
            "removed": {
                "type": "boolean",
                "description": "removed (by a moderator, or its author's data erased) while "
                "published replies keep their place; a removed comment has no author or text",
            },
            "can_reply": {
                "type": "boolean",
                "description": "readers may answer it: published, with its text, thread open",
            },
            "can_report": {
                "type": "boolean",
                "description": "readers may report it: published, with its text",
            },
            "replies": {
                "type": "array",
                "items": _ref("Comment"),
                "description": "the replies shown with this page: a bounded number under "
                "each top-level comment (REPLIES_PER_COMMENT) and on the page in all "
                "(REPLIES_PER_PAGE); the rest through replies_cursor",
            },
            "more_replies": {
                "type": "integer",
                "minimum": 0,
                "description": "top-level comments only: how many more replies it has than "
                "this answer carries",
            },
            "replies_cursor": {
                "type": ["string", "null"],
                "description": "top-level comments only: when more_replies > 0, pass it as "
                "`replies` to GET /api/v1/comments for the next replies (null: none)",
            },
        },
    },
    "Thread": {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "article": {
                "type": "object",
                "properties": {
                    "key": {"type": "string"},
                    "site": {"type": "string", "description": "the site the thread is on"},
                    "title": {"type": "string"},
                    "url": {"type": ["string", "null"]},
                    "closed": {"type": "boolean"},
                },
            },
            "lang": {"type": "string", "enum": list(LANGUAGES)},
            "heading": {"type": "string"},
            "count": {"type": "integer", "description": "approved comments"},
            "page": {"type": "integer"},
            "pages": {"type": "integer"},
            "comments": {"type": "array", "items": _ref("Comment")},
            "form": {
                "type": "object",
                "properties": {
                    "edit_window_minutes": {"type": "integer"},
                    "limits": {
                        "type": "object",
                        "description": "each field's limits as the form declares them: the "
                        "most characters (max) and whether it must be filled in (required)",
                        "additionalProperties": {
                            "type": "object",
                            "properties": {
                                "max": {"type": "integer"},
                                "required": {"type": "boolean"},
                            },
                        },
                    },
                },
            },
            "privacy": {
                "type": "object",
                "properties": {
                    "text": {"type": "string"},
                    "url": {"type": ["string", "null"]},
                    "accessibility_url": {
                        "type": ["string", "null"],
                        "description": "the site's accessibility statement, linked beside the "
                        "privacy notice (texts.accessibility is the link's text)",
                    },
                },
            },
            "texts": {"type": "object", "additionalProperties": {"type": "string"}},
        },
    },
    "NewComment": {
        "type": "object",
        "required": ["article", *(name for name, lim in COMMENT_LIMITS.items() if lim["required"])],
        "description": "The form's fields; unknown fields are ignored",
        "properties": {
            "article": {"type": "string", "pattern": ARTICLE_KEY_PATTERN},
            "comment": _text(COMMENT_LIMITS["comment"]),
            "author": _text(COMMENT_LIMITS["author"]),
            "email": _text(COMMENT_LIMITS["email"], format="email"),
            "url": _text(
                COMMENT_LIMITS["url"],
                pattern=WEB_ADDRESS,
                description="the author's website: http(s), or a host name",
            ),
            "parent": {
                "description": "the id of the published comment this one answers, in the same "
                "thread; none, null or an empty text for a new top-level comment",
                "anyOf": [
                    {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
                    {"type": "string", "pattern": ecma(r"^\s*(?:0*[1-9][0-9]{0,9})?\s*$")},
                    {"type": "null"},
                ],
            },
            "remember": {"type": "boolean"},
            "subscribe": {
                "type": "string",
                "enum": ["", "replies", "article"],
                "default": "",
                "description": "notify the author by email of replies to this comment "
                "(replies) or of every new comment on the article (article), after the "
                "address is confirmed by the link mailed to it (double opt-in)",
            },
            "ts": {"type": "string", "description": "the ts of GET /api/v1/stamp"},
            "hp": {"type": "string", "description": "leave empty"},
            "altcha": {
                "type": "string",
                "description": "the solution of the `altcha` challenge of GET /api/v1/stamp "
                "(base64 of JSON), when the site asks for proof of work; a comment without a "
                "valid, unspent one is held for a moderator (no-proof-of-work), not refused",
            },
        },
    },
    "Created": {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "comment": _ref("Comment"),
            "pending": {"type": "boolean"},
            "page": {"type": "integer"},
            "edit_token": {"type": "string"},
            "edit_until": {"type": "string", "format": "date-time"},
            "subscription": {
                "type": ["string", "null"],
                "enum": ["confirm", "active", None],
                "description": "confirm: a confirmation mail is on its way (or was sent "
                "today); active: the address is confirmed already; null: none asked",
            },
        },
    },
}
