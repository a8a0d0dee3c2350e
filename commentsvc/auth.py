"""Who is logged in to the moderation pages: the session, and guards for the views."""

from __future__ import annotations

from functools import wraps

from flask import abort, g, redirect, request, session, url_for
from flask.sessions import SecureCookieSessionInterface

from .extensions import db
from .models import Moderator

SESSION_KEY = "moderator_id"


class ModeratorSessionInterface(SecureCookieSessionInterface):
    """The signed session cookie, marked Secure whenever the request came over https.

    Behind a TLS-terminating proxy, run the app with werkzeug's ProxyFix so that
    ``request.is_secure`` reflects the visitor's scheme.
    """

    def get_cookie_secure(self, app) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


def current_moderator() -> Moderator | None:
    """The logged-in, still active moderator; a disabled account is logged out at once."""
    if "moderator" not in g:
        moderator = None
        moderator_id = session.get(SESSION_KEY)
        if isinstance(moderator_id, int):
            moderator = db.session.get(Moderator, moderator_id)
            if moderator is not None and not moderator.active:
                session.pop(SESSION_KEY, None)
                moderator = None
        g.moderator = moderator
    return g.moderator


def log_in(moderator: Moderator) -> None:
    # A fresh session on login: nothing set before it (a fixed session) carries over.
    session.clear()
    session[SESSION_KEY] = moderator.id
    session.permanent = False


def log_out() -> None:
    session.pop(SESSION_KEY, None)
    g.pop("moderator", None)


def login_required(view):
    """Moderators only; others are sent to the login page (and never see the data)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if current_moderator() is None:
            if request.method != "GET":
                abort(403)
            return redirect(url_for("moderation.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapped


def admin_required(view):
    """Admins only: a moderator gets 403."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_moderator().is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped
