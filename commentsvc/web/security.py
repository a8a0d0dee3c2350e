"""Security headers on every answer, by Flask-Talisman, and where the iframe page differs.

Every page: a Content-Security-Policy that runs scripts and styles from this service only (the
templates have no inline script or style, so neither nonce nor hash is needed), may be framed
by no one (``frame-ancestors 'none'`` and ``X-Frame-Options: DENY``), and is never sniffed as
another type. The iframe pages (``/embed`` and its forms) may be framed by the service itself
and the host sites in ``ALLOWED_ORIGINS``; ``X-Frame-Options`` cannot name several sites, so
they go without it and rely on ``frame-ancestors``, which every current browser reads.
``Referrer-Policy: same-origin`` everywhere: the iframe's address carries edit tokens and a
moderator's pages name comments, neither of which other sites need. HSTS only over https.
Cookies: the session's and the remembered author's are marked Secure whenever the request came
over https (auth.ModeratorSessionInterface, readers.set_remembered_author).

Forms under Flask-WTF's CSRF protection (the moderators' pages) must also come from a page of
ours when sent over https, as Flask-WTF's ``WTF_CSRF_SSL_STRICT`` asks; but ours is PUBLIC_URL's
origin, not the Host header's (weburls.own_origin): behind nginx on port 8443 with
``Host $host`` the port is gone from Host, and every login would be refused.
"""

from __future__ import annotations

import logging

from flask import Flask, g, request
from flask_wtf.csrf import CSRFError

from commentsvc.extensions import talisman
from commentsvc.sites.config import effective_config
from commentsvc.weburls import from_own_origin, own_origin, request_origin

log = logging.getLogger(__name__)

CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
PERMISSIONS_POLICY = {
    "browsing-topics": "()",
    "camera": "()",
    "microphone": "()",
    "geolocation": "()",
    "payment": "()",
    "usb": "()",
}
FRAMED_ENDPOINTS = frozenset(
    {"embed.frame", "embed.post_comment", "embed.edit_own_comment", "embed.delete_own_comment"}
)
HSTS_SECONDS = 365 * 24 * 3600


def frame_ancestors() -> str:
    """Who may show the iframe page: the service itself and the request's site's origins (a
    page of another site that names this site's thread is refused by the browser)."""
    return " ".join(["'self'", *effective_config()["ALLOWED_ORIGINS"]])


def _let_host_sites_frame_the_iframe(response):
    if request.endpoint not in FRAMED_ENDPOINTS:
        return response
    policy = response.headers.get("Content-Security-Policy", "")
    response.headers["Content-Security-Policy"] = policy.replace(
        "frame-ancestors 'none'", f"frame-ancestors {frame_ancestors()}"
    )
    response.headers.pop("X-Frame-Options", None)
    return response


def _forms_come_from_our_own_pages() -> None:
    """Over https, a form that passed the CSRF token check was sent by a page of ours: its
    Origin, or without one its Referer, is PUBLIC_URL's origin. A token alone would do against
    other sites; this also refuses a page of ours served under another name (a second Host
    that reaches the same service over plain http), as Flask-WTF's strict mode does."""
    if not g.get("csrf_valid") or not request.is_secure:
        return  # an exempt view, a safe method, or plain http (where a Referer proves nothing)
    if not from_own_origin():
        # Said in the log: a PUBLIC_URL that differs from the address people use locks
        # every moderator out, and the page only says the form expired.
        log.warning(
            "A form was refused: sent from %r, while PUBLIC_URL's origin is %r",
            request_origin() or "no Origin or Referer",
            own_origin(),
        )
        raise CSRFError("The form was not sent from a page of this service.")


def install(app: Flask) -> None:
    """Talisman's headers on every answer, then the iframe pages' own frame-ancestors.

    Flask runs the app's after-request functions last registered first: registering ours
    before Talisman's makes it run after Talisman has written its headers.
    """
    # After Flask-WTF's token check (registered before, in register_extensions).
    app.before_request(_forms_come_from_our_own_pages)
    app.after_request(_let_host_sites_frame_the_iframe)
    talisman.init_app(
        app,
        force_https=False,  # TLS ends at the proxy; it redirects, we only say so (HSTS)
        session_cookie_secure=False,  # Secure per request over https, in auth.py
        frame_options="DENY",
        content_security_policy=CONTENT_SECURITY_POLICY,
        referrer_policy="same-origin",
        permissions_policy=PERMISSIONS_POLICY,
        strict_transport_security=True,
        strict_transport_security_max_age=HSTS_SECONDS,
        x_xss_protection=False,  # obsolete; the CSP does this job
    )
