"""What the service remembers about a reader, in signed cookies only: their own comments and,
with their consent, their name, email and website for the next comment."""

from __future__ import annotations

from datetime import timedelta

from flask import Request, Response, current_app, session
from itsdangerous import BadSignature, URLSafeSerializer

REMEMBER_COOKIE = "commentsvc_author"
OWN_COMMENTS_KEPT = 50


def own_comment_ids() -> frozenset[int]:
    """Comments this browser wrote, so their author sees them while they wait for review."""
    return frozenset(int(i) for i in session.get("own", []) if str(i).isdigit())


def remember_own_comment(comment_id: int) -> None:
    own = [i for i in session.get("own", []) if i != comment_id]
    session["own"] = [*own, comment_id][-OWN_COMMENTS_KEPT:]
    session.permanent = True


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="remember-author")


def remembered_author(request: Request) -> dict[str, str]:
    """The name, email and website saved with the reader's consent, or nothing."""
    raw = request.cookies.get(REMEMBER_COOKIE)
    if not raw:
        return {}
    try:
        data = _serializer().loads(raw)
    except BadSignature:
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: str(data.get(k, "")) for k in ("author", "email", "url")}


def set_remembered_author(
    response: Response, request: Request, *, consent: bool, author: str, email: str, url: str
) -> None:
    """Keep the details only when the box was ticked; without consent, forget earlier ones."""
    if not consent:
        if REMEMBER_COOKIE in request.cookies:
            response.delete_cookie(
                REMEMBER_COOKIE, httponly=True, samesite="Lax", secure=_secure(request)
            )
        return
    response.set_cookie(
        REMEMBER_COOKIE,
        _serializer().dumps({"author": author, "email": email, "url": url}),
        max_age=timedelta(days=current_app.config["REMEMBER_COOKIE_DAYS"]),
        httponly=True,
        samesite="Lax",
        secure=_secure(request),
    )


def _secure(request: Request) -> bool:
    """Secure over https (as the session cookie is): the cookie holds a name and an email."""
    return bool(current_app.config.get("SESSION_COOKIE_SECURE")) or request.is_secure


# --- issue 4: edit tokens of the plain page, in the signed session cookie ---
EDIT_TOKENS_KEPT = 10  # the window is short; a few tokens keep the cookie small


def edit_tokens() -> dict[int, str]:
    """This browser's edit tokens by comment id (the service checks each when it is used)."""
    kept = session.get("edit", {})
    if not isinstance(kept, dict):
        return {}
    return {int(k): str(v) for k, v in kept.items() if str(k).isdigit()}


def remember_edit_token(comment_id: int, token: str) -> None:
    kept = {str(k): v for k, v in edit_tokens().items() if k != comment_id}
    kept[str(comment_id)] = token
    session["edit"] = dict(list(kept.items())[-EDIT_TOKENS_KEPT:])
    session.permanent = True
