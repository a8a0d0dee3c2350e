"""The JSON shapes of the API's OpenAPI description; lengths come from the forms' declarations."""

from __future__ import annotations

from typing import Any

from commentsvc.forms.comment import (
    ARTICLE_KEY,
    ARTICLE_KEY_MAX,
    CommentForm,
    EditForm,
    declared_limits,
)
from commentsvc.forms.report import REPORTER_MAX, ReportForm
from commentsvc.setting_specs import LANGUAGES

ARTICLE_KEY_PATTERN = f"^{ARTICLE_KEY.pattern}$"


def _text(limits: dict[str, Any], **schema: Any) -> dict[str, Any]:
    """A text field's schema with the form's limits: ``maxLength``, and ``minLength`` 1 when the
    field is required (blank text is refused too, with a field error)."""
    bounds = {"maxLength": limits["max"], **({"minLength": 1} if limits["required"] else {})}
    return {"type": "string", **schema, **bounds}


COMMENT_LIMITS = declared_limits(CommentForm)
EDIT_LIMITS = declared_limits(EditForm)
REPORT_LIMITS = declared_limits(ReportForm)


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERROR = _json(_ref("Error"), "A JSON error with a message in the reader's language")
ARTICLE_PARAM = {
    "name": "article",
    "in": "query",
    "required": True,
    "description": "The article key: 1–200 printable characters, no white space",
    "schema": {"type": "string", "maxLength": ARTICLE_KEY_MAX, "pattern": ARTICLE_KEY_PATTERN},
}
LANG_PARAM = {
    "name": "lang",
    "in": "query",
    "description": "Language of texts and messages (default: the service's LANGUAGE)",
    "schema": {"type": "string", "enum": list(LANGUAGES)},
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
        "properties": {
            "reason": {
                "type": "string",
                "enum": ["illegal", "harassment", "spam", "personal-data", "off-topic", "other"],
            },
            "explanation": _text(REPORT_LIMITS["explanation"], description="required for illegal"),
            "name": _text(REPORT_LIMITS["name"], description="required for illegal"),
            "email": _text(
                REPORT_LIMITS["email"],
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
                "properties": {"text": {"type": "string"}, "url": {"type": ["string", "null"]}},
            },
            "texts": {"type": "object", "additionalProperties": {"type": "string"}},
        },
    },
    "NewComment": {
        "type": "object",
        "required": ["article", *(name for name, lim in COMMENT_LIMITS.items() if lim["required"])],
        "description": "The form's fields; unknown fields are ignored",
        "properties": {
            "article": {
                "type": "string",
                "maxLength": ARTICLE_KEY_MAX,
                "pattern": ARTICLE_KEY_PATTERN,
            },
            "comment": _text(COMMENT_LIMITS["comment"]),
            "author": _text(COMMENT_LIMITS["author"]),
            "email": _text(COMMENT_LIMITS["email"], format="email"),
            "url": _text(COMMENT_LIMITS["url"]),
            "parent": {"type": ["integer", "string"]},
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
