"""Which sites the logged-in account may see on the admins' pages of the law (transparency
report, personal data): the installation's admin every site, a site's admin theirs."""

from __future__ import annotations

from functools import wraps

from flask import abort

from commentsvc.moderation.access import admin_of
from commentsvc.moderation.auth import current_moderator, login_required


def admin_sites() -> set[str] | None:
    """The sites the logged-in account is admin of; None: every site."""
    return admin_of(current_moderator())


def site_admin_required(view):
    """Admins only, of the installation or of some site: anyone else gets 403. The view shows
    an admin of some sites only those sites' part."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        sites = admin_sites()
        if sites is not None and not sites:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def installation_admin_required(view):
    """The installation's admins only (an admin with no site role): a site's admin gets 403."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if admin_sites() is not None:
            abort(403)
        return view(*args, **kwargs)

    return wrapped
