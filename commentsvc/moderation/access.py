"""Which sites a moderator's account works on, from its site roles (``SiteRole``).

An account with no site role works on every site with its own role (an admin without any is
the installation's admin); an account with some works on those sites only, as admin or
moderator of each. None below means every site.
"""

from __future__ import annotations

from sqlalchemy import select

from commentsvc.extensions import db
from commentsvc.models.moderation import Moderator, ModeratorRole
from commentsvc.models.sites import SiteRole


def _roles(moderator: Moderator) -> dict[str, ModeratorRole]:
    rows = db.session.execute(
        select(SiteRole.site_id, SiteRole.role).where(SiteRole.moderator_id == moderator.id)
    )
    return dict(rows.all())


def sites_of(moderator: Moderator) -> set[str] | None:
    """The sites the account works on; None: every site."""
    roles = _roles(moderator)
    return set(roles) if roles else None


def admin_of(moderator: Moderator) -> set[str] | None:
    """The sites the account is an admin of; None: every site (the installation's admin)."""
    roles = _roles(moderator)
    if not roles:
        return None if moderator.is_admin else set()
    return {site for site, role in roles.items() if role == ModeratorRole.ADMIN}


def is_installation_admin(moderator: Moderator) -> bool:
    return admin_of(moderator) is None


def installation_admins() -> list[str]:
    """The names of the installation's admins (active, with no site role): whom a site's
    admin asks for what only they may do."""
    with_roles = select(SiteRole.moderator_id)
    accounts = db.session.execute(
        select(Moderator)
        .where(
            Moderator.active.is_(True),
            Moderator.role == ModeratorRole.ADMIN,
            Moderator.id.not_in(with_roles),
        )
        .order_by(Moderator.username)
    ).scalars()
    return [account.display_name or account.username for account in accounts]
