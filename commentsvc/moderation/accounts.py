"""Moderator accounts: creating them, their passwords, roles and sites (logging in is
``logins.py``).

Every change of an account (created, disabled, re-enabled, role changed, password set or
reset) is written to the audit log, and those that change who may act raise the account's
session epoch, which ends its sessions on every instance. Services flush; the caller commits.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from commentsvc.audit import record_event
from commentsvc.errors import DomainError
from commentsvc.extensions import db
from commentsvc.models.base import utcnow
from commentsvc.models.moderation import AuditAction, Moderator, ModeratorRole
from commentsvc.models.sites import SiteRole
from commentsvc.moderation import logins
from commentsvc.moderation.access import (
    access_of,
    forget_access,
    manages_account,
    site_roles,
)
from commentsvc.moderation.access import sees_account as access_sees
from commentsvc.sanitize import plain_line
from commentsvc.sites.config import config_for

PASSWORD_MIN = 10


class AccountRejected(DomainError):
    status = 422
    code = "invalid"


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def check_new_password(username: str, password: str) -> None:
    """The rules for every new password (create, set-password, reset, own change)."""
    if len(password) < PASSWORD_MIN:
        raise AccountRejected(
            _l("The password must have at least %(min)s characters.", min=PASSWORD_MIN),
            "password",
        )
    if password.strip().casefold() == username.strip().casefold():
        raise AccountRejected(_l("The password must not be the user name."), "password")


def account_subject(moderator: Moderator) -> dict[str, int]:
    """How the audit log names an account: by its number, so an erasure of the person
    (which renames the account) reaches every record about it."""
    return {"account": moderator.id}


def _end_sessions(moderator: Moderator) -> None:
    moderator.session_epoch = (moderator.session_epoch or 0) + 1


def create_moderator(
    username: str,
    password: str,
    *,
    role: ModeratorRole | str = ModeratorRole.MODERATOR,
    sites: Collection[str] = (),
    email: str = "",
    notify: bool = False,
    display_name: str = "",
    by: str = "cli",
    now: datetime | None = None,
) -> Moderator:
    """A new account; the name is unique regardless of case. With ``sites`` (existing sites'
    ids), it works on those sites only, with ``role`` on each; without, on every site."""
    from commentsvc.sites.registry import find_site

    username = username.strip()
    if not username or len(username) > 200:
        raise AccountRejected(_l("Enter a user name of at most 200 characters."), "username")
    check_new_password(username, password)
    taken = db.session.execute(
        select(Moderator.id).where(func.lower(Moderator.username) == username.lower())
    ).first()
    if taken:
        raise AccountRejected(_l("There is already a moderator with that name."), "username")
    role = ModeratorRole(role)
    try:
        site_ids = sorted({find_site(site).id for site in sites})
    except DomainError as error:
        raise AccountRejected(error.message, "sites") from None
    moderator = Moderator(
        username=username,
        password_hash=hash_password(password),
        # An account of some sites takes its role from each site's; its own stays the lesser,
        # so that nothing reading it alone ever takes a site's admin for the installation's.
        role=ModeratorRole.MODERATOR if site_ids else role,
        email=email.strip() or (username if "@" in username else ""),
        notify=notify,
        display_name=plain_line(display_name).strip()[:245],  # as the form's filter: one line
    )
    db.session.add(moderator)
    db.session.flush()
    if not site_ids:
        record_event(
            AuditAction.ACCOUNT_CREATED,
            {**account_subject(moderator), "role": moderator.role.value},
            by=by,
            now=now or utcnow(),
        )
    for site_id in site_ids:
        db.session.add(SiteRole(moderator_id=moderator.id, site_id=site_id, role=role))
        # One record per site, so that each site's log shows its own people.
        record_event(
            AuditAction.ACCOUNT_CREATED,
            {**account_subject(moderator), "role": role.value, "site": site_id},
            by=by,
            now=now or utcnow(),
            site=site_id,
        )
    db.session.flush()
    return moderator


def sites_for_new_account(by: Moderator, sites: Collection[str] | None) -> list[str]:
    """The sites an admin gives a new account: any for the installation's admin (none: every
    site), one or more of their own for a site's admin, who never makes an account of every
    site."""
    chosen = sorted(set(sites or ()))
    admin_sites = access_of(by).admin_sites
    if admin_sites is None:
        return chosen
    if not chosen:
        raise AccountRejected(_l("Choose the sites the account works on."), "sites")
    if not set(chosen) <= admin_sites:
        raise AccountRejected(_l("You can only add people to the sites you manage."), "sites")
    return chosen


def _record_for_account(
    action: AuditAction, moderator: Moderator, *, by: str, now: datetime, **details: Any
) -> None:
    """A change of an account of some sites is in each of its sites' logs; of an account of
    every site, in the installation's."""
    for site in sorted(site_roles(moderator.id)) or [None]:
        record_event(action, {**account_subject(moderator), **details}, by=by, now=now, site=site)


record_for_account = _record_for_account  # for the account's other services (logins, TOTP)


def find_by_name(username: str) -> Moderator:
    moderator = db.session.execute(
        select(Moderator).where(func.lower(Moderator.username) == username.strip().lower())
    ).scalar_one_or_none()
    if moderator is None:
        raise AccountRejected(_l("There is no such moderator."), "username")
    return moderator


def set_password(moderator: Moderator, password: str, *, by: str, now: datetime) -> None:
    """A new password chosen by the account's owner or by a site owner at the shell."""
    check_new_password(moderator.username, password)
    moderator.password_hash = hash_password(password)
    moderator.reset_pending = False
    _end_sessions(moderator)
    _record_for_account(AuditAction.PASSWORD_SET, moderator, by=by, now=now)
    db.session.flush()


def change_own_password(moderator: Moderator, current: str, new: str, *, now: datetime) -> None:
    """A moderator's own change: the current password proves it is them."""
    if not check_password_hash(moderator.password_hash, current):
        raise AccountRejected(_l("The current password is wrong."), "current")
    if current == new:
        raise AccountRejected(_l("Choose a password you have not used here."), "password")
    set_password(moderator, new, by=moderator.username, now=now)


def reset_password(moderator_id: int, *, by: Moderator, now: datetime) -> tuple[Moderator, str]:
    """An admin's reset: a temporary password, shown once, that must be changed at the next
    login; every session of the account ends. Returns the account and the password."""
    moderator = get_moderator(moderator_id)
    _refuse_unless_managed(moderator, by)
    temporary = secrets.token_urlsafe(12)
    moderator.password_hash = hash_password(temporary)
    moderator.reset_pending = True
    _end_sessions(moderator)
    _record_for_account(AuditAction.PASSWORD_RESET, moderator, by=by.username, now=now)
    db.session.flush()
    return moderator, temporary


def unlock(moderator_id: int, *, by: Moderator | None, now: datetime) -> Moderator:
    """An admin (None: the shell) clears the failed logins of an account and of the addresses
    they came from, so its owner can log in at once; audited. Its sessions stay."""
    moderator = get_moderator(moderator_id)
    if by is not None:
        _refuse_unless_managed(moderator, by)
    cleared = logins.clear_failures(moderator)
    _record_for_account(
        AuditAction.LOGIN_UNLOCKED,
        moderator,
        by=by.username if by is not None else "cli",
        now=now,
        cleared=cleared,
    )
    db.session.flush()
    return moderator


def set_role(moderator_id: int, role: str, *, by: Moderator, now: datetime) -> Moderator:
    """Make an account of every site an admin or a moderator (the installation's admin's
    choice); its sessions end (new rights, new login). An account of some sites has a role on
    each instead (``set_site_role``)."""
    moderator = get_moderator(moderator_id)
    if moderator.id == by.id:
        raise AccountRejected(_l("You cannot change your own role."))
    if not access_of(by).installation_admin:
        raise AccountRejected(_l("Only the installation's administrator gives this role."))
    if site_roles(moderator.id):
        raise AccountRejected(_l("This account works on some sites: change its role on each."))
    try:
        new_role = ModeratorRole(role)
    except ValueError:
        raise AccountRejected(_l("Choose a role.")) from None
    if moderator.role != new_role:
        old = moderator.role.value
        moderator.role = new_role
        _end_sessions(moderator)
        record_event(
            AuditAction.ROLE_CHANGED,
            {**account_subject(moderator), "old": old, "new": new_role.value},
            by=by.username,
            now=now,
        )
        db.session.flush()
    return moderator


def set_site_role(
    moderator_id: int, site_id: str, role: str, *, by: Moderator, now: datetime
) -> Moderator:
    """Give an account a role on one site (``admin``, ``moderator``) or take it (``""``).

    Who may: the installation's admin on any site, a site's admin on their own sites. An
    account of every site that gets a role on one works on that one only from now. The last
    site of an account is never taken (the account would then work on every site): disable the
    account instead. Its sessions end; the site's log records the change.
    """
    from commentsvc.sites.registry import find_site

    moderator = get_moderator(moderator_id)
    site_id = find_site(site_id).id
    if moderator.id == by.id:
        raise AccountRejected(_l("You cannot change your own role."))
    if not access_of(by).admin_of(site_id):
        raise AccountRejected(_l("You do not manage the people of this site."), "site")
    try:
        new_role = ModeratorRole(role) if role else None
    except ValueError:
        raise AccountRejected(_l("Choose a role."), "role") from None
    roles = site_roles(moderator.id)
    old_role = roles.get(site_id)
    if old_role == new_role:
        return moderator
    if new_role is None and set(roles) == {site_id}:
        raise AccountRejected(
            _l("This is the account's last site: disable the account instead."), "site"
        )
    held = db.session.get(SiteRole, (moderator.id, site_id))
    if new_role is None:
        db.session.delete(held)
    elif held is None:
        db.session.add(SiteRole(moderator_id=moderator.id, site_id=site_id, role=new_role))
    else:
        held.role = new_role
    if not roles:
        # From every site to this one: its own role is no longer read; the lesser one stays.
        moderator.role = ModeratorRole.MODERATOR
    _end_sessions(moderator)
    record_event(
        AuditAction.ROLE_CHANGED,
        {
            **account_subject(moderator),
            "site": site_id,
            "old": old_role.value if old_role else None,
            "new": new_role.value if new_role else None,
        },
        by=by.username,
        now=now,
        site=site_id,
    )
    db.session.flush()
    forget_access()
    return moderator


def _refuse_unless_managed(moderator: Moderator, by: Moderator) -> None:
    """A site's admin changes only accounts that work on their sites alone."""
    if not manages_account(access_of(by), site_roles(moderator.id)):
        raise AccountRejected(
            _l("This account also works on other sites: ask the installation's administrator.")
        )


refuse_unless_managed = _refuse_unless_managed  # the same rule for the second factor's reset


def get_moderator(moderator_id: int) -> Moderator:
    moderator = db.session.get(Moderator, moderator_id)
    if moderator is None:
        raise DomainError(_l("There is no such moderator."))
    return moderator


def set_active(
    moderator_id: int, active: bool, *, by: Moderator, now: datetime | None = None
) -> Moderator:
    """Disable or re-enable an account. Its sessions end either way: a re-enabled account
    starts from a new login, never from a cookie kept from before."""
    moderator = get_moderator(moderator_id)
    _refuse_unless_managed(moderator, by)
    if moderator.id == by.id and not active:
        raise AccountRejected(_l("You cannot disable your own account."))
    if moderator.active != active:
        moderator.active = active
        _end_sessions(moderator)
        _record_for_account(
            AuditAction.ACCOUNT_ENABLED if active else AuditAction.ACCOUNT_DISABLED,
            moderator,
            by=by.username,
            now=now or utcnow(),
        )
    db.session.flush()
    return moderator


def end_sessions(moderator: Moderator) -> None:
    """Logging out ends every session of the account, on every instance."""
    _end_sessions(moderator)
    db.session.flush()


def set_notify(moderator_id: int, notify: bool) -> Moderator:
    moderator = get_moderator(moderator_id)
    moderator.notify = notify
    db.session.flush()
    return moderator


def all_moderators() -> list[Moderator]:
    return list(db.session.execute(select(Moderator).order_by(Moderator.username)).scalars())


def moderators_seen_by(by: Moderator) -> list[tuple[Moderator, dict[str, ModeratorRole]]]:
    """The accounts ``by`` sees on the moderators page, each with its roles per site (empty:
    every site): all for the installation's admin, those of their sites for a site's admin."""
    access = access_of(by)
    roles: dict[int, dict[str, ModeratorRole]] = {}
    for moderator_id, site_id, role in db.session.execute(
        select(SiteRole.moderator_id, SiteRole.site_id, SiteRole.role).order_by(SiteRole.site_id)
    ):
        roles.setdefault(moderator_id, {})[site_id] = ModeratorRole(role)
    return [
        (moderator, roles.get(moderator.id, {}))
        for moderator in all_moderators()
        if access_sees(access, roles.get(moderator.id, {}))
    ]


def staff_name(moderator: Moderator, site: str) -> str:
    """The name a staff reply on ``site`` is published under: the moderator's display name, or
    else the site's name. Never the login: it is half of a credential, and readers see every
    reply."""
    return moderator.display_name or config_for(site)["SITE_NAME"]
