"""Moderator accounts: creating them, checking passwords, and throttling failed logins.

Failed logins are counted per account-and-address pair and per address, in the database so
that every instance sees them. A pair is slowed after a few failures and locked after more;
an address gets a larger budget across all accounts. No account is ever locked for everyone,
so an attacker cannot lock the real moderators out from their own addresses.

Every change of an account (created, disabled, re-enabled, role changed, password set or
reset) is written to the audit log, and those that change who may act raise the account's
session epoch, which ends its sessions on every instance. Services flush; the caller commits.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from commentsvc.audit import record_event
from commentsvc.errors import DomainError
from commentsvc.extensions import db
from commentsvc.models.base import utcnow
from commentsvc.models.moderation import AuditAction, LoginThrottle, Moderator, ModeratorRole

PASSWORD_MIN = 10
# Checked against when the account does not exist, so a wrong name costs as much as a
# wrong password and timing does not tell which names exist. Written out rather than made at
# import: scrypt's 32 MB of work area stayed in every worker's resident memory.
# It is generate_password_hash("not a password", method="scrypt") with werkzeug's defaults.
_DUMMY_HASH = (
    "scrypt:32768:8:1$Gw58xs0iw8zxSqsJ$79a6da5713880545385b55410832001b97a9caf1270aec79da9bb11b"
    "1f58586526681fdb8a8a7017f086f100a1527c278d0a6f25073a060122a374cf11cf5921"
)


class AccountRejected(DomainError):
    status = 422
    code = "invalid"


class LoginFailed(DomainError):
    status = 401
    code = "login_failed"


class LoginThrottled(DomainError):
    status = 429
    code = "too_many_attempts"


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
    email: str = "",
    notify: bool = False,
    display_name: str = "",
    by: str = "cli",
    now: datetime | None = None,
) -> Moderator:
    """A new account; the name is unique regardless of case."""
    username = username.strip()
    if not username or len(username) > 200:
        raise AccountRejected(_l("Enter a user name of at most 200 characters."), "username")
    check_new_password(username, password)
    taken = db.session.execute(
        select(Moderator.id).where(func.lower(Moderator.username) == username.lower())
    ).first()
    if taken:
        raise AccountRejected(_l("There is already a moderator with that name."), "username")
    moderator = Moderator(
        username=username,
        password_hash=hash_password(password),
        role=ModeratorRole(role),
        email=email.strip() or (username if "@" in username else ""),
        notify=notify,
        display_name=display_name.strip()[:245],
    )
    db.session.add(moderator)
    db.session.flush()
    record_event(
        AuditAction.ACCOUNT_CREATED,
        {**account_subject(moderator), "role": moderator.role.value},
        by=by,
        now=now or utcnow(),
    )
    return moderator


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
    record_event(AuditAction.PASSWORD_SET, account_subject(moderator), by=by, now=now)
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
    temporary = secrets.token_urlsafe(12)
    moderator.password_hash = hash_password(temporary)
    moderator.reset_pending = True
    _end_sessions(moderator)
    record_event(AuditAction.PASSWORD_RESET, account_subject(moderator), by=by.username, now=now)
    db.session.flush()
    return moderator, temporary


def set_role(moderator_id: int, role: str, *, by: Moderator, now: datetime) -> Moderator:
    """Make an account an admin or a moderator; its sessions end (new rights, new login)."""
    moderator = get_moderator(moderator_id)
    if moderator.id == by.id:
        raise AccountRejected(_l("You cannot change your own role."))
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
    if moderator.id == by.id and not active:
        raise AccountRejected(_l("You cannot disable your own account."))
    if moderator.active != active:
        moderator.active = active
        _end_sessions(moderator)
        record_event(
            AuditAction.ACCOUNT_ENABLED if active else AuditAction.ACCOUNT_DISABLED,
            account_subject(moderator),
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


def _throttle(key: str) -> LoginThrottle:
    row = db.session.get(LoginThrottle, key)
    if row is None:
        row = LoginThrottle(key=key, failures=0)
        db.session.add(row)
    return row


def _wait(row: LoginThrottle | None, now: datetime, free: int) -> timedelta | None:
    """How long this key must still wait before it may try again, if at all."""
    if row is None:
        return None
    if row.locked_until and row.locked_until > now:
        return row.locked_until - now
    if row.failures > free and row.last_failure_at:
        # Slowed: 1, 2, 4, ... seconds after each further failure (at most a minute).
        delay = timedelta(seconds=min(60, 2 ** (row.failures - free - 1)))
        if row.last_failure_at + delay > now:
            return row.last_failure_at + delay - now
    return None


def authenticate(username: str, password: str, *, address: str, now: datetime) -> Moderator:
    """The active moderator with these credentials, or LoginFailed / LoginThrottled."""
    config = current_app.config
    pair_key = f"pair:{username.strip().casefold()[:200]}|{address}"
    address_key = f"addr:{address}"
    pair = db.session.get(LoginThrottle, pair_key)
    by_address = db.session.get(LoginThrottle, address_key)
    waits = [
        _wait(pair, now, config["LOGIN_FREE_FAILURES"]),
        _wait(by_address, now, config["LOGIN_ADDRESS_FAILURES"]),
    ]
    wait = max((w for w in waits if w is not None), default=None)
    if wait is not None:
        seconds = max(1, int(wait.total_seconds() + 0.999))
        if seconds > 90:
            message = ngettext(
                "Too many failed attempts. Try again in %(num)d minute.",
                "Too many failed attempts. Try again in %(num)d minutes.",
                -(-seconds // 60),
            )
        else:
            message = ngettext(
                "Too many failed attempts. Wait %(num)d second and try again.",
                "Too many failed attempts. Wait %(num)d seconds and try again.",
                seconds,
            )
        raise LoginThrottled(message)
    moderator = db.session.execute(
        select(Moderator).where(func.lower(Moderator.username) == username.strip().lower())
    ).scalar_one_or_none()
    ok = check_password_hash(moderator.password_hash if moderator else _DUMMY_HASH, password)
    if moderator is not None and ok:
        if not moderator.active:
            raise LoginFailed(_l("This account is disabled. Ask an administrator."))
        if pair is not None:
            db.session.delete(pair)
            db.session.commit()
        return moderator
    lock = timedelta(minutes=config["LOGIN_LOCK_MINUTES"])
    for key, limit in (
        (pair_key, config["LOGIN_LOCK_FAILURES"]),
        (address_key, config["LOGIN_ADDRESS_FAILURES"] * 2),
    ):
        row = _throttle(key)
        if row.locked_until and row.locked_until <= now:
            row.failures, row.locked_until = 0, None  # the lock has run out: a fresh start
        row.failures += 1
        row.last_failure_at = now
        if row.failures >= limit:
            row.locked_until = now + lock
    db.session.commit()
    raise LoginFailed(_l("Wrong user name or password."))


def all_moderators() -> list[Moderator]:
    return list(db.session.execute(select(Moderator).order_by(Moderator.username)).scalars())


def staff_name(moderator: Moderator) -> str:
    """The name a staff reply is published under: the moderator's display name, or else the
    site's name. Never the login: it is half of a credential, and readers see every reply."""
    return moderator.display_name or current_app.config["SITE_NAME"]
