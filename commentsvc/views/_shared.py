"""What the public views share: the reader's cookies (their own comments, remembered details,
edit tokens), where a request comes from, and posting the form (``submit``).

Reading a thread is ``views/_thread.py``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import (
    Request,
    Response,
    current_app,
    request,
    session,
    url_for,
)
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer

from commentsvc import threads
from commentsvc.errors import (
    CSRF_MESSAGE,
    DomainError,
)
from commentsvc.extensions import db
from commentsvc.forms.comment import CommentForm
from commentsvc.models.base import utcnow
from commentsvc.models.threads import Article, Comment
from commentsvc.notify import subscriptions
from commentsvc.privacy.addresses import anonymize_ip
from commentsvc.sites import effective_config

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
        max_age=timedelta(days=effective_config()["REMEMBER_COOKIE_DAYS"]),
        httponly=True,
        samesite="Lax",
        secure=_secure(request),
    )


def _secure(request: Request) -> bool:
    """Secure over https (as the session cookie is): the cookie holds a name and an email."""
    return bool(current_app.config.get("SESSION_COOKIE_SECURE")) or request.is_secure


# --- edit tokens of the plain page, in the signed session cookie ---
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


def prefilled_form(article_key: str, reply_to: Comment | None) -> CommentForm:
    form = CommentForm(
        formdata=None, article=article_key, parent=str(reply_to.id) if reply_to else ""
    )
    remembered = remembered_author(request)
    if remembered:
        form.author.data = remembered["author"]
        form.email.data = remembered["email"]
        form.url.data = remembered["url"]
        form.remember.data = True
    return form


def reply_target(article, comment_id: int | None) -> Comment | None:
    """The comment being answered, when the reader may answer it."""
    parent = db.session.get(Comment, comment_id) if comment_id else None
    if parent is None or parent.article_id != article.id:
        return None
    if not threads.can_reply(parent, closed=threads.is_closed(article, utcnow())):
        return None
    return parent


@dataclass(frozen=True)
class Posted:
    """A comment posted from a form, and the edit token that proves its author."""

    comment: Comment
    edit_token: str


def post_form(article: Article, form: CommentForm, *, now: datetime) -> Posted:
    """Post the checked form's comment from this request's (anonymized) address: the one call
    of the posting service behind the plain page, the iframe and the JSON API. The author's
    edit token is stored with it, in the same transaction (the caller commits)."""
    comment = threads.post_comment(
        article,
        form.draft(),
        ip=anonymize_ip(request.remote_addr),
        now=now,
        signals=form.signals(now),
    )
    return Posted(comment, threads.issue_edit_token(comment, now))


def submit(form: CommentForm) -> tuple[Article, Posted | None, int]:
    """Check the form and post its comment: (article, the posted comment or None, status).

    The plain page, the iframe and the API all post through here. On failure the messages
    are on the form, beside their fields or in its summary.
    """
    article = threads.find_article(form.article.data or "")
    if not form.validate():
        if form.errors.get("csrf_token"):
            form.form_errors.append(CSRF_MESSAGE)
            return article, None, 400
        return article, None, 422
    try:
        posted = post_form(article, form, now=utcnow())
    except DomainError as error:
        form.add_domain_error(error)
        return article, None, error.status
    db.session.commit()
    return article, posted, 201


SUBSCRIPTION_NOTES = {
    "confirm": _l(
        "We have sent you an email. Open the link in it and press the button to start "
        "getting notifications."
    ),
    "active": _l("You will be notified by email of new comments."),
}


# An author's edit of a comment that a moderator approved waits for review (threads.Edited).
EDIT_REVIEW_NOTE = _l("Your edit awaits review. Until then, the approved text is shown.")


def subscription_state(comment: Comment) -> str | None:
    """What the reader's ticked box did, for the page after the redirect to tell them
    (in its address: the iframe has no session to carry a flashed message)."""
    return subscriptions.state_of(comment.id)


def subscription_note() -> str | None:
    note = SUBSCRIPTION_NOTES.get(request.args.get("subscription", ""))
    return str(note) if note else None


def own_comment_page(
    comment: Comment, subscription: str | None = None, *, review: bool = False
) -> str:
    """The page of the thread that shows the reader's comment; ``review`` tells them that
    their edit waits for a moderator (in the address: the iframe has no session)."""
    return url_for(
        "public.thread",
        article=comment.article.key,
        subscription=subscription,
        review=comment.id if review else None,
        page=threads.page_of(comment, own_comment_ids()),
        lang=request.form.get("lang") or None,
        _anchor=f"comment-{comment.id}",
    )
