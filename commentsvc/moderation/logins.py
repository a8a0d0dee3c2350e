"""Logging in: checking a moderator's password, and throttling failed logins.

Failed logins are counted per account-and-address pair and per address, in the database so
that every instance sees them. A pair is slowed after a few failures and locked after more;
an address gets a larger budget across all accounts. No account is ever locked for everyone,
so an attacker cannot lock the real moderators out from their own addresses.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import case, delete, func, or_, select, update
from werkzeug.security import check_password_hash

from commentsvc.database import upsert_insert
from commentsvc.errors import DomainError
from commentsvc.extensions import db
from commentsvc.models.moderation import LoginThrottle, Moderator

# Checked against when the account does not exist, so a wrong name costs as much as a
# wrong password and timing does not tell which names exist. Written out rather than made at
# import: scrypt's 32 MB of work area stayed in every worker's resident memory.
# It is generate_password_hash("not a password", method="scrypt") with werkzeug's defaults.
_DUMMY_HASH = (
    "scrypt:32768:8:1$Gw58xs0iw8zxSqsJ$79a6da5713880545385b55410832001b97a9caf1270aec79da9bb11b"
    "1f58586526681fdb8a8a7017f086f100a1527c278d0a6f25073a060122a374cf11cf5921"
)


class LoginFailed(DomainError):
    status = 401
    code = "login_failed"


class LoginThrottled(DomainError):
    """Too many failures: ``retry_after`` is the wait in whole seconds (the ``Retry-After``
    header), the message says it in words."""

    status = 429
    code = "too_many_attempts"

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


def _wait(row: LoginThrottle, now: datetime, free: int) -> timedelta | None:
    """How long this key must still wait before it may try again, if at all."""
    if row.locked_until and row.locked_until > now:
        return row.locked_until - now
    if row.failures >= free and row.last_failure_at:
        # Slowed: after ``free`` failures, 1, 2, 4, ... seconds between tries (at most a minute).
        delay = timedelta(seconds=min(60, 2 ** min(6, row.failures - free)))
        if row.last_failure_at + delay > now:
            return row.last_failure_at + delay - now
    return None


def _throttled(wait: timedelta) -> LoginThrottled:
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
    return LoginThrottled(message, seconds)


def _claim_attempt(rules: dict[str, tuple[int, int]], now: datetime) -> None:
    """Count this attempt as a failure of each key (``{key: (free, lock)}``) before its
    password is checked, or raise LoginThrottled and count nothing.

    Read, decide and count are one transaction that holds the keys' rows (SQLite: the
    database's write lock, taken by the INSERT; PostgreSQL: ``FOR UPDATE``, in the keys' order),
    so parallel attempts queue here and each sees the ones before it: 16 at once are 16
    failures in a row, never 16 readings of the same count. A right password gives its
    attempt back (``_forgive_attempt``).
    """
    db.session.commit()  # end what the request read: the claim starts from the latest counts
    keys = sorted(rules)
    db.session.execute(
        upsert_insert(db.session, LoginThrottle)
        .values([{"key": key, "failures": 0} for key in keys])
        .on_conflict_do_nothing(index_elements=["key"])
    )
    rows = (
        db.session.execute(
            select(LoginThrottle)
            .where(LoginThrottle.key.in_(keys))
            .order_by(LoginThrottle.key)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        .scalars()
        .all()
    )
    for row in rows:
        if row.locked_until and row.locked_until <= now:
            row.failures, row.locked_until = 0, None  # the lock has run out: a fresh start
    waits = [_wait(row, now, rules[row.key][0]) for row in rows]
    wait = max((w for w in waits if w is not None), default=None)
    if wait is not None:
        db.session.commit()
        raise _throttled(wait)
    lock = timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])
    for row in rows:
        row.failures += 1
        row.last_failure_at = now
        if row.failures >= rules[row.key][1]:
            row.locked_until = now + lock
    db.session.commit()


def _forgive_attempt(pair_key: str, address_key: str, address_lock: int) -> None:
    """A right password: the pair starts afresh, and the address gets its attempt back (a
    lock that this very attempt set is lifted with it).

    The rows are written in the keys' order, as ``_claim_attempt`` locks them ("addr:" before
    "code:" and "pair:"): in the other order a claim holding the address's row and waiting for
    the pair's would deadlock with this (PostgreSQL, one code sent from many browsers)."""
    db.session.execute(
        update(LoginThrottle)
        .where(LoginThrottle.key == address_key, LoginThrottle.failures > 0)
        .values(
            failures=LoginThrottle.failures - 1,
            locked_until=case(
                (LoginThrottle.failures - 1 < address_lock, None),
                else_=LoginThrottle.locked_until,
            ),
        )
    )
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.key == pair_key))
    db.session.commit()


def _pair_key(username: str, address: str) -> str:
    return f"pair:{username.strip().casefold()[:200]}|{address}"


def _code_key(moderator_id: int, address: str) -> str:
    return f"code:{moderator_id}|{address}"


def _address_rules(address: str) -> tuple[str, tuple[int, int]]:
    free = current_app.config["LOGIN_ADDRESS_FAILURES"]
    return f"addr:{address}", (free, free * 2)


def authenticate(username: str, password: str, *, address: str, now: datetime) -> Moderator:
    """The active moderator with these credentials, or LoginFailed / LoginThrottled.

    Commits: the count of failures must stay whatever the caller does with the error.
    """
    config = current_app.config
    pair_key = _pair_key(username, address)
    address_key, address_rule = _address_rules(address)
    _claim_attempt(
        {
            pair_key: (config["LOGIN_FREE_FAILURES"], config["LOGIN_LOCK_FAILURES"]),
            address_key: address_rule,
        },
        now,
    )
    moderator = db.session.execute(
        select(Moderator).where(func.lower(Moderator.username) == username.strip().lower())
    ).scalar_one_or_none()
    ok = check_password_hash(moderator.password_hash if moderator else _DUMMY_HASH, password)
    if moderator is not None and ok:
        _forgive_attempt(pair_key, address_key, address_rule[1])
        if not moderator.active:
            raise LoginFailed(_l("This account is disabled. Ask an administrator."))
        return moderator
    raise LoginFailed(_l("Wrong user name or password."))


def check_code_attempt(
    moderator: Moderator, check: Callable[[], bool], *, address: str, now: datetime
) -> None:
    """A second-factor code typed after the password, counted as a password is (per account
    and address, and against the address's budget): ``check`` says whether it is right.
    LoginFailed or LoginThrottled otherwise. Commits, as ``authenticate``."""
    config = current_app.config
    code_key = _code_key(moderator.id, address)
    address_key, address_rule = _address_rules(address)
    _claim_attempt(
        {
            code_key: (config["LOGIN_FREE_FAILURES"], config["LOGIN_LOCK_FAILURES"]),
            address_key: address_rule,
        },
        now,
    )
    if not check():
        db.session.commit()
        raise LoginFailed(_l("The code is wrong or has been used. Try the next one."))
    _forgive_attempt(code_key, address_key, address_rule[1])


def clear_failures(moderator: Moderator) -> int:
    """Forget the failed logins of an account (passwords and codes, from every address) and
    the counts of the addresses they came from; how many counts were cleared. Flushes."""
    prefixes = (_pair_key(moderator.username, ""), _code_key(moderator.id, ""))
    rows = list(
        db.session.execute(
            select(LoginThrottle).where(
                or_(*(LoginThrottle.key.startswith(p, autoescape=True) for p in prefixes))
            )
        ).scalars()
    )
    addresses = {row.key.rsplit("|", 1)[1] for row in rows}
    address_keys = [_address_rules(address)[0] for address in sorted(addresses)]
    cleared = db.session.execute(
        delete(LoginThrottle).where(LoginThrottle.key.in_([row.key for row in rows] + address_keys))
    ).rowcount
    db.session.flush()
    return cleared
