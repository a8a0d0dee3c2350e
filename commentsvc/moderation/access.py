"""Who may do what on which site: the one place the desk asks."""

from __future__ import annotations

from commentsvc.models.moderation import Moderator


def may_admin_site(moderator: Moderator | None, site_id: str | None) -> bool:
    """May ``moderator`` change the site ``site_id`` (its name, origins and settings)? With
    None: the installation's sites themselves (add and remove sites, see them all).

    Today an admin may, on every site, and nobody else may."""
    return moderator is not None and moderator.is_admin
