"""Which sites a moderator works on, and as what: the one place every moderation route asks.

An account with no site roles works on every site with its own role (an admin is then the
installation's admin, as every admin of a one-site installation is). An account with site
roles works on those sites only, as admin or moderator of each; its own ``Moderator.role``
is then never read. Another site's comments, reports, people and records do not exist for it:
the routes answer 404, so that nobody learns what another site holds.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from flask import g
from sqlalchemy import ColumnElement, select, true

from commentsvc.extensions import db
from commentsvc.models.moderation import ModerationEvent, Moderator, ModeratorRole
from commentsvc.models.sites import Site, SiteRole
from commentsvc.models.threads import Article, Comment

CACHE = "_commentsvc_access"


@dataclass(frozen=True)
class Access:
    """What one account may see and do."""

    moderator_id: int
    # The account's role on each of its sites; None: every site, with ``everywhere``.
    roles: dict[str, ModeratorRole] | None
    everywhere: ModeratorRole = ModeratorRole.MODERATOR

    @property
    def sites(self) -> frozenset[str] | None:
        """The sites the account sees; None: every site."""
        return None if self.roles is None else frozenset(self.roles)

    @property
    def installation_admin(self) -> bool:
        return self.roles is None and self.everywhere == ModeratorRole.ADMIN

    @property
    def admin_sites(self) -> frozenset[str] | None:
        """The sites the account is admin of; None: every site (the installation's admin)."""
        if self.roles is None:
            return None if self.installation_admin else frozenset()
        return frozenset(s for s, role in self.roles.items() if role == ModeratorRole.ADMIN)

    @property
    def is_admin(self) -> bool:
        """Admin of at least one site: may open the admins' pages (each shows their sites)."""
        return self.admin_sites is None or bool(self.admin_sites)

    def sees(self, site_id: str | None) -> bool:
        return self.roles is None or site_id in self.roles

    def admin_of(self, site_id: str | None) -> bool:
        admin_sites = self.admin_sites
        return admin_sites is None or site_id in admin_sites

    def narrowed(self, site_id: str | None) -> frozenset[str] | None:
        """The sites a list shows when the desk is filtered by ``site_id`` (one the account
        sees); an unknown or another site's id filters nothing."""
        if site_id and self.sees(site_id):
            return frozenset({site_id})
        return self.sites


def site_roles(moderator_id: int) -> dict[str, ModeratorRole]:
    """An account's role on each of its sites (empty: it works on every site)."""
    rows = db.session.execute(
        select(SiteRole.site_id, SiteRole.role).where(SiteRole.moderator_id == moderator_id)
    )
    return {site_id: ModeratorRole(role) for site_id, role in rows}


def access_of(moderator: Moderator) -> Access:
    """The account's access, read once per request."""
    cached = g.get(CACHE)
    if cached is None:
        cached = {}
        setattr(g, CACHE, cached)
    key = (moderator.id, moderator.role)
    if key not in cached:
        roles = site_roles(moderator.id)
        cached[key] = Access(moderator.id, roles or None, ModeratorRole(moderator.role))
    return cached[key]


def forget_access() -> None:
    """Roles changed in this context: the next question reads them again."""
    g.pop(CACHE, None)


# --- restricting what a query finds to the sites an account sees -------------------------


def comments_on(sites: Collection[str] | None) -> ColumnElement[bool]:
    """Comments of these sites (None: every site), as a condition on ``Comment``."""
    if sites is None:
        return true()
    return Comment.article_id.in_(select(Article.id).where(Article.site_id.in_(sorted(sites))))


def comment_ids_on(sites: Collection[str] | None, column) -> ColumnElement[bool]:
    """``column`` (a comment's number, as reports and statements keep it) names a comment of
    these sites."""
    if sites is None:
        return true()
    return column.in_(select(Comment.id).where(comments_on(sites)))


def events_on(sites: Collection[str] | None) -> ColumnElement[bool]:
    """Audit records of these sites. Records of the whole installation (no site) are for the
    installation's admin only, who sees every site (None)."""
    if sites is None:
        return true()
    return ModerationEvent.site_id.in_(sorted(sites))


def site_of_comment(comment_id: int) -> str | None:
    """The site of a comment; None when there is no such comment."""
    return db.session.execute(
        select(Article.site_id)
        .join(Comment, Comment.article_id == Article.id)
        .where(Comment.id == comment_id)
    ).scalar_one_or_none()


def site_of_article(article_id: int) -> str | None:
    """The site of an article; None when there is no such article."""
    return db.session.execute(
        select(Article.site_id).where(Article.id == article_id)
    ).scalar_one_or_none()


def visible_ids(access: Access, comment_ids: Collection[int]) -> list[int]:
    """The comments of ``comment_ids`` the account sees, in the order given."""
    if access.sites is None or not comment_ids:
        return list(comment_ids)
    seen = set(
        db.session.execute(
            select(Comment.id).where(Comment.id.in_(comment_ids), comments_on(access.sites))
        ).scalars()
    )
    return [i for i in comment_ids if i in seen]


def visible_sites(access: Access) -> list[Site]:
    """The sites the account sees, by id: for the desk's site filter."""
    query = select(Site).order_by(Site.id)
    if access.sites is not None:
        query = query.where(Site.id.in_(sorted(access.sites)))
    return list(db.session.execute(query).scalars())


def managed_sites(access: Access) -> list[Site]:
    """The sites whose people and settings the account manages."""
    query = select(Site).order_by(Site.id)
    if access.admin_sites is not None:
        query = query.where(Site.id.in_(sorted(access.admin_sites)))
    return list(db.session.execute(query).scalars())


# --- accounts: who sees and manages whom -------------------------------------------------


def sees_account(access: Access, roles: dict[str, ModeratorRole]) -> bool:
    """A site's admin sees the accounts with a role on a site they manage; an account of every
    site (no roles) only the installation's admin sees."""
    if access.installation_admin:
        return True
    admin_sites = access.admin_sites or frozenset()
    return any(site in admin_sites for site in roles)


def manages_account(access: Access, roles: dict[str, ModeratorRole]) -> bool:
    """May change the account as a whole (disable, reset its password): the installation's
    admin any; a site's admin one whose every site is a site they manage, never one that also
    works elsewhere."""
    if access.installation_admin:
        return True
    admin_sites = access.admin_sites or frozenset()
    return bool(roles) and all(site in admin_sites for site in roles)


def may_admin_site(moderator: Moderator | None, site_id: str | None) -> bool:
    """May ``moderator`` change the site ``site_id`` (its name, origins and settings)? With
    None: the installation's sites themselves (add and remove sites, see them all), which only
    the installation's admin may."""
    if moderator is None:
        return False
    access = access_of(moderator)
    return access.installation_admin if site_id is None else access.admin_of(site_id)


def installation_admins() -> list[str]:
    """The names of the installation's admins (active, with no site role): whom a site's
    admin asks for what only they may do (an erasure, which reaches every site)."""
    accounts = db.session.execute(
        select(Moderator)
        .where(
            Moderator.active.is_(True),
            Moderator.role == ModeratorRole.ADMIN,
            Moderator.id.not_in(select(SiteRole.moderator_id)),
        )
        .order_by(Moderator.username)
    ).scalars()
    return [account.display_name or account.username for account in accounts]
