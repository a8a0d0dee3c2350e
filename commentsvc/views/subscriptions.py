"""The pages a reader reaches from a notification mail: confirm, and unsubscribe.

Confirming takes a POST from the page's button, so a mail scanner that follows the link
confirms nothing. Unsubscribing takes a POST too, from the page or from the mail client's
own button (RFC 8058 one-click), which sends no cookie: the link's opaque token is the proof.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request

from commentsvc.extensions import csrf, db
from commentsvc.forms.desk import ActionForm
from commentsvc.models.base import utcnow
from commentsvc.notify import subscriptions
from commentsvc.sites import config_for

bp = Blueprint("subscriptions", __name__, url_prefix="/subscriptions")


def _token() -> str:
    return request.args.get("token") or request.form.get("token") or ""


def _private(body: str, status: int = 200):
    # The token is a secret of its owner's: no cache or referring page may keep it.
    return body, status, {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


@bp.get("/confirm")
def confirm_page():
    subscriptions.subscriber_for_confirmation(_token(), now=utcnow())
    return _private(
        render_template("subscriptions/confirm.html", form=ActionForm(), token=_token())
    )


@bp.post("/confirm")
def confirm():
    form = ActionForm()
    if not form.validate():
        return _private(
            render_template(
                "subscriptions/confirm.html", form=form, token=_token(), expired_form=True
            ),
            400,
        )
    subscriptions.confirm(_token(), now=utcnow())
    db.session.commit()
    return _private(render_template("subscriptions/done.html", confirmed=True))


def _site_name(link: subscriptions.UnsubscribeLink) -> str:
    """The name of the site whose mails the link stops (its thread's site)."""
    return config_for(link.article.site_id if link.article else None)["SITE_NAME"]


@bp.get("/unsubscribe")
def unsubscribe_page():
    link = subscriptions.read_unsubscribe(_token())
    return _private(
        render_template(
            "subscriptions/unsubscribe.html",
            article=link.article,
            site_name=_site_name(link),
            token=_token(),
        )
    )


@bp.post("/unsubscribe")
@csrf.exempt  # the mail client's one-click POST carries no session; the token decides
def unsubscribe():
    one_click = request.form.get("List-Unsubscribe") == "One-Click"
    everything = not one_click and request.form.get("scope") == "everything"
    link = subscriptions.unsubscribe(_token(), everything=everything, now=utcnow())
    db.session.commit()
    return _private(
        render_template(
            "subscriptions/done.html",
            article=link.article,
            site_name=_site_name(link),
            everything=everything or link.article_id is None,
        )
    )
