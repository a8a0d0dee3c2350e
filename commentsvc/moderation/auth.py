"""Who is logged in to the moderation pages: the session, and guards for the views."""

from __future__ import annotations

from functools import wraps

from flask import abort, current_app, g, redirect, request, session, url_for
from flask.sessions import SecureCookieSessionInterface

from commentsvc.extensions import db
from commentsvc.models.moderation import Moderator
from commentsvc.moderation import secondfactor
from commentsvc.moderation.access import Access, access_of
from commentsvc.weburls import origin_of

SESSION_KEY = "moderator_id"
EPOCH_KEY = "moderator_epoch"
# Half logged in: the password was right, the second factor's code is still to come. These
# keys open the code page only; nothing reads them as a login (current_moderator doesn't).
PENDING_KEY = "second_step_of"
PENDING_EPOCH_KEY = "second_step_epoch"
PENDING_SINCE_KEY = "second_step_since"
PENDING_NEXT_KEY = "second_step_next"
PENDING_SECONDS = 300


class ModeratorSessionInterface(SecureCookieSessionInterface):
    """The signed session cookie, marked Secure whenever the request came over https.

    Behind a TLS-terminating proxy, run the app with werkzeug's ProxyFix so that
    ``request.is_secure`` reflects the visitor's scheme.
    """

    def get_cookie_secure(self, app) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure

    def save_session(self, app, session, response) -> None:
        # A moderator's session keeps its own lifetime (it ends with the browser): posting or
        # reporting as a reader in the same browser asks for a long-lived cookie for the
        # reader's sake, never for the login.
        if SESSION_KEY in session and session.permanent:
            session.permanent = False
        # Another site's form POST arrives without the session cookie (SameSite=Lax) and fails
        # the CSRF check; the browser still stores a cookie set by that error answer, over the
        # moderator's. An error answer to another origin's request never starts a session.
        if (
            response.status_code >= 400
            and self.get_cookie_name(app) not in request.cookies
            and _from_another_origin(app)
        ):
            return
        super().save_session(app, session, response)


def _from_another_origin(app) -> bool:
    """Did a page of another origin send this request (Fetch Metadata, else ``Origin``)?"""
    site = request.headers.get("Sec-Fetch-Site")
    if site:
        return site not in ("same-origin", "none")
    origin = (request.headers.get("Origin") or "").lower()
    if not origin:
        return False  # not from a browser's cross-origin form (those always send one)
    own = {origin_of(request.host_url)}
    if app.config.get("PUBLIC_URL"):
        own.add(origin_of(app.config["PUBLIC_URL"]))
    return origin not in own


def current_moderator() -> Moderator | None:
    """The logged-in, still active moderator whose session is still valid.

    The cookie carries the account's session epoch from the moment of login; logging out,
    a new password, disabling the account or a new role raise the epoch in the database,
    so every cookie issued before (a copied one too) stops working on every instance.
    """
    if "moderator" not in g:
        moderator = None
        moderator_id = session.get(SESSION_KEY)
        if isinstance(moderator_id, int):
            moderator = db.session.get(Moderator, moderator_id)
            valid = (
                moderator is not None
                and moderator.active
                and session.get(EPOCH_KEY) == moderator.session_epoch
            )
            if not valid:
                session.pop(SESSION_KEY, None)
                session.pop(EPOCH_KEY, None)
                moderator = None
        g.moderator = moderator
    return g.moderator


def log_in(moderator: Moderator) -> None:
    # A fresh session on login: nothing set before it (a fixed session) carries over.
    session.clear()
    session[SESSION_KEY] = moderator.id
    session[EPOCH_KEY] = moderator.session_epoch
    session.permanent = False
    g.pop("moderator", None)
    # The CSRF token this request made belonged to the cleared session: a page rendered after
    # the login (the recovery codes) must carry one of the new session.
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)


def begin_second_step(moderator: Moderator, next_url: str, now: float) -> None:
    """The password was right and the account has a second factor: remember whose code the
    code page asks for, for a few minutes, in a fresh session that grants nothing else."""
    session.clear()
    session[PENDING_KEY] = moderator.id
    session[PENDING_EPOCH_KEY] = moderator.session_epoch
    session[PENDING_SINCE_KEY] = int(now)
    session[PENDING_NEXT_KEY] = next_url
    session.permanent = False


def second_step_moderator(now: float) -> Moderator | None:
    """The account whose code the code page may ask for: password given a moment ago, still
    active, no security change since."""
    moderator_id = session.get(PENDING_KEY)
    since = session.get(PENDING_SINCE_KEY)
    if not isinstance(moderator_id, int) or not isinstance(since, int):
        return None
    if not 0 <= now - since <= PENDING_SECONDS:
        return None
    moderator = db.session.get(Moderator, moderator_id)
    if (
        moderator is None
        or not moderator.active
        or session.get(PENDING_EPOCH_KEY) != moderator.session_epoch
    ):
        return None
    return moderator


def second_step_next() -> str | None:
    return session.get(PENDING_NEXT_KEY)


def log_out() -> None:
    """Forget this browser's session (the caller ends the account's other sessions)."""
    session.pop(SESSION_KEY, None)
    session.pop(EPOCH_KEY, None)
    g.pop("moderator", None)


def reset_pending() -> bool:
    moderator = current_moderator()
    return moderator is not None and moderator.reset_pending


def signed_in(view):
    """Moderators only, also while their password is a temporary one; others are sent to the
    login page (a GET) or refused (any other method), and never see the data."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if current_moderator() is None:
            if request.method != "GET":
                abort(403)
            return redirect(url_for("moderation.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapped


def login_required(view):
    """Moderators with a password of their own (see ``signed_in``)."""

    @wraps(view)
    @signed_in
    def wrapped(*args, **kwargs):
        if reset_pending():
            # A temporary password from an admin's reset opens only the page that replaces it.
            return redirect(url_for("moderation.password"), code=303)
        if secondfactor.required() and not secondfactor.enabled(current_moderator()):
            # The installation requires a second factor: set it up before the desk opens.
            return redirect(url_for("moderation.second_factor"), code=303)
        return view(*args, **kwargs)

    return wrapped


def current_access() -> Access:
    """What the logged-in moderator may see and do (``moderation.access``)."""
    return access_of(current_moderator())


def admin_required(view):
    """Admins only, of a site or of the installation: a moderator gets 403. A route about one
    comment is also refused to an admin of other sites than the comment's (``_common``)."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_access().is_admin:
            abort(403)
        return view(*args, **kwargs)

    wrapped.admin_only = True
    return wrapped


def installation_admin_required(view):
    """The installation's admin only (what spans every site: mail, personal data): a site's
    admin gets 403 as a moderator does."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_access().installation_admin:
            abort(403)
        return view(*args, **kwargs)

    wrapped.admin_only = True
    return wrapped
