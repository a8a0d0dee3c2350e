"""Domain errors raised by the services, and the one place that maps them to HTTP."""

from __future__ import annotations

import contextlib

from flask import Flask, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from sqlalchemy import exc as sa_exc
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import HTTPException

from commentsvc.extensions import db


class DomainError(Exception):
    """A request the rules refuse; ``message`` is shown to the person as it is."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field

    @property
    def errors(self) -> dict[str, list[str]]:
        return {self.field or "form": [str(self.message)]}


class ArticleNotFound(DomainError):
    status = 404
    code = "article_not_found"


class CommentNotFound(DomainError):
    status = 404
    code = "comment_not_found"


class CommentRejected(DomainError):
    """The comment breaks a rule the reader can fix (a field, a parent, a duplicate)."""

    status = 422
    code = "invalid"


class CommentRefused(DomainError):
    """The comment is not taken, for a reason the person is not told (a ban): nothing to fix
    in the form."""

    status = 403
    code = "refused"


class ThreadClosed(DomainError):
    status = 403
    code = "closed"


# --- the JSON API and the author's own comments ---
class InvalidRequest(DomainError):
    """A request whose fields cannot be read (wrong type, too many keys, a bad article key)."""

    status = 422
    code = "invalid"


class EditNotAllowed(DomainError):
    """The edit token is missing, forged, expired or belongs to another comment."""

    status = 403
    code = "edit_not_allowed"


class OriginNotAllowed(DomainError):
    """A write request from a web page the service does not serve."""

    status = 403
    code = "origin_not_allowed"


class UnsupportedContentType(DomainError):
    status = 415
    code = "unsupported_media_type"


class TooManyNewArticles(DomainError):
    """Too many new threads: from this address (RATELIMIT_NEW_ARTICLES) or the whole site
    today (MAX_NEW_ARTICLES_PER_DAY)."""

    status = 429
    code = "too_many_requests"


class EditWindowClosed(DomainError):
    """The author's time to change their comment is over."""

    status = 403
    code = "edit_window_closed"


# Texts for the HTTP errors that are not ours; every page and JSON answer uses these.
HTTP_MESSAGES = {
    400: _l("The request could not be understood."),
    403: _l("You do not have access to this."),
    404: _l("The page could not be found."),
    405: _l("This address does not accept that kind of request."),
    413: _l("The request is too large."),
    422: _l("Some fields need to be corrected."),
    429: _l("Too many requests. Wait a moment and try again."),
    500: _l("Something went wrong on our side. Try again in a moment."),
    503: _l("The service is temporarily unavailable. Try again in a minute."),
}


# The database is down, restarting or busy. Nothing was saved by this request.
DATABASE_UNAVAILABLE = _l(
    "The comments cannot be reached right now. Try again in a minute; nothing you sent has "
    "been saved yet."
)
RETRY_AFTER_SECONDS = 30


def database_problem(error: BaseException) -> str:
    """Why the database did not answer, in a few words safe to show (no host names)."""
    text = str(getattr(error, "orig", None) or error).lower()
    for words, reason in (
        (("refused",), "connection refused"),
        (("timeout", "timed out"), "timed out"),
        (
            ("closed the connection", "terminating connection", "server closed", "eof"),
            "connection lost",
        ),
        (("authentication", "password"), "authentication failed"),
        (("does not exist",), "database does not exist"),
        (("readonly", "read-only"), "read-only"),
        (("locked", "busy"), "busy"),
        (("unable to open",), "cannot open the database file"),
    ):
        if any(w in text for w in words):
            return reason
    return "unreachable"


CSRF_MESSAGE = _l(
    "The form had expired or was not sent from this site. Reload the page and send it again."
)
# A moderator's form is refused whole by the one CSRF gate (CSRFProtect, before any view), so
# the message says what matters at the desk: no decision was made.
MODERATION_CSRF_MESSAGE = _l(
    "The page had been open too long. Nothing was changed; please try again."
)


def wants_json() -> bool:
    """API paths always answer JSON; pages answer HTML."""
    return request.path.startswith("/api/")


def error_response(status: int, code: str, message: str, errors: dict | None = None):
    if wants_json():
        body = {"error": code, "message": str(message)}
        if errors:
            body["errors"] = {k: [str(m) for m in v] for k, v in errors.items()}
        return jsonify(body), status
    template = f"errors/{status}.html" if status in HTTP_MESSAGES else "errors/400.html"
    return render_template(template, status=status, message=message), status


def register_errorhandlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        return error_response(error.status, error.code, error.message, error.errors)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        moderating = request.path.startswith("/moderation/")
        return error_response(400, "csrf", MODERATION_CSRF_MESSAGE if moderating else CSRF_MESSAGE)

    @app.errorhandler(RateLimitExceeded)
    def rate_limited(error: RateLimitExceeded):
        # The limit's own message ("Du skickar kommentarer för snabbt"), not the generic one.
        return error_response(429, "too_many_requests", error.description)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code or 500
        if status == 413:
            # The body was refused unread: the page (its language, the moderation forms)
            # must not try to read it again.
            request.form = request.files = ImmutableMultiDict()
        message = HTTP_MESSAGES.get(status, error.description)
        response, status = error_response(status, error.name.lower().replace(" ", "_"), message)
        if status == 405 and hasattr(error, "valid_methods") and error.valid_methods:
            response = app.make_response((response, status))
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response, status

    @app.errorhandler(sa_exc.OperationalError)
    @app.errorhandler(sa_exc.InterfaceError)
    @app.errorhandler(sa_exc.DisconnectionError)
    @app.errorhandler(sa_exc.TimeoutError)
    def database_unavailable(error: Exception):
        # The connection is gone: the rollback may fail too, and the pool (pre-ping) will
        # reconnect on the next request, so the service recovers by itself.
        with contextlib.suppress(Exception):  # the connection is known broken
            db.session.rollback()
        app.logger.error(
            "database unavailable (%s) on %s %s: %s",
            database_problem(error),
            request.method,
            request.path,
            error,
        )
        response, status = error_response(503, "database_unavailable", DATABASE_UNAVAILABLE)
        response = app.make_response((response, status))
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        # Whatever failed, the session must not keep a half-written transaction.
        db.session.rollback()
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, "internal_error", HTTP_MESSAGES[500])
