"""A moderator's optional second factor: a time-based code (TOTP, RFC 6238, 30-second steps of
6 digits, as every authenticator app makes them) and ten recovery codes for a lost phone.

The secret is stored once the moderator has proven with a code that their app holds it; the
recovery codes are stored as hashes and each works once. A code is accepted once: the last
time step used is remembered, so a code seen over a shoulder or in a proxy's log cannot be
used again within its window. Turning the factor on or off ends the account's other
sessions, as every security change of an account does. Services flush; the caller commits.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

import pyotp
import segno
from flask import current_app
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import update

from commentsvc.database import upsert_insert
from commentsvc.errors import DomainError
from commentsvc.extensions import db
from commentsvc.models.moderation import AuditAction, LoginThrottle, Moderator
from commentsvc.moderation import accounts, logins

RECOVERY_CODES = 10
STEP_SECONDS = 30
# A code of the step before or after the current one is taken too: phones' clocks drift.
DRIFT_STEPS = 1
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
_RECOVERY_LENGTH = 16  # about 79 bits: a stolen hash cannot be turned back into a code


class SecondFactorRejected(DomainError):
    status = 422
    code = "invalid"


def required() -> bool:
    """Must every moderator have a second factor before they reach the desk?"""
    return bool(current_app.config["REQUIRE_TOTP"])


def enabled(moderator: Moderator) -> bool:
    return bool(moderator.totp_secret)


def new_secret() -> str:
    return pyotp.random_base32()


def setup_uri(secret: str, username: str) -> str:
    """The otpauth:// address an authenticator app reads (from the QR code or typed)."""
    issuer = current_app.config["SITE_NAME"] or "commentsvc"
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=issuer)


def qr_svg(uri: str, label: str) -> Markup:
    """The address as a QR code, drawn here as inline SVG: no image from anywhere else."""
    svg = segno.make(uri, error="m").svg_inline(scale=4, dark="#000", light="#fff", title=label)
    # segno writes only its own paths and escapes the title; the label is escaped here.
    labelled = svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1)
    return Markup(labelled)  # noqa: S704


def _digits(code: str) -> str:
    return "".join(code.split())


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step whose code this is (now, or one step either side), if any."""
    code = _digits(code)
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _step_key(moderator: Moderator) -> str:
    return f"totp-step:{moderator.id}"


def _use_step(moderator: Moderator, step: int) -> bool:
    """Take the time step for this account unless it or a later one was used already.

    One conditional UPDATE, so that two requests with the same code, on any instance, cannot
    both pass. The step is kept in the login counts' table (a row of its own per account):
    a count shared by every instance, as the failures are.
    """
    key = _step_key(moderator)
    db.session.execute(
        upsert_insert(db.session, LoginThrottle)
        .values([{"key": key, "failures": 0}])
        .on_conflict_do_nothing(index_elements=["key"])
    )
    taken = db.session.execute(
        update(LoginThrottle)
        .where(LoginThrottle.key == key, LoginThrottle.failures < step)
        .values(failures=step)
        .execution_options(synchronize_session=False)
    ).rowcount
    return taken == 1


def _hash_recovery(code: str) -> str:
    normal = "".join(c for c in code.casefold() if c.isalnum())
    return hashlib.sha256(normal.encode()).hexdigest()


def new_recovery_codes() -> list[str]:
    """Ten codes to print or keep, shown once: ``abcd-efgh-jkmn-pqrs``."""
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
        codes.append("-".join(raw[i : i + 4] for i in range(0, _RECOVERY_LENGTH, 4)))
    return codes


def _use_recovery_code(moderator: Moderator, code: str) -> bool:
    """Spend a recovery code; False when it is none of the account's (or was used).

    The account's row is written first (SQLite: the database's write lock; PostgreSQL: the
    row's lock) and read again after, so two requests with one code cannot both spend it.
    """
    db.session.execute(
        update(Moderator)
        .where(Moderator.id == moderator.id)
        .values(recovery_codes=Moderator.recovery_codes)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(moderator, ["recovery_codes"])
    wanted = _hash_recovery(code)
    left = list(moderator.recovery_codes or [])
    if not any(hmac.compare_digest(wanted, stored) for stored in left):
        return False
    moderator.recovery_codes = [stored for stored in left if stored != wanted]
    db.session.flush()
    return True


def accept_code(moderator: Moderator, code: str, now: datetime) -> str | None:
    """Check a code of the account's app or one of its recovery codes, and use it up: "totp",
    "recovery", or None when it is neither (or was used before)."""
    if not enabled(moderator):
        return None
    step = _matching_step(moderator.totp_secret, code, now)
    if step is not None:
        return "totp" if _use_step(moderator, step) else None
    if len(_digits(code)) > 6 and _use_recovery_code(moderator, code):
        return "recovery"
    return None


def check_login_code(moderator: Moderator, code: str, *, address: str, now: datetime) -> str:
    """The second step of a login: the code after the password, throttled as passwords are.
    Returns how it was proven ("totp" or "recovery"); LoginFailed, LoginThrottled. Commits."""
    used: list[str] = []

    def check() -> bool:
        kind = accept_code(moderator, code, now)
        if kind:
            used.append(kind)
        return kind is not None

    logins.check_code_attempt(moderator, check, address=address, now=now)
    return used[0]


def enable(moderator: Moderator, secret: str, code: str, *, now: datetime) -> list[str]:
    """Turn the second factor on once ``code`` shows that the app holds ``secret``; the
    recovery codes in clear, to show once."""
    if enabled(moderator):
        raise SecondFactorRejected(_l("Your second factor is already on."), "code")
    step = _matching_step(secret, code, now)
    if step is None:
        raise SecondFactorRejected(
            _l("That is not the code your app shows now. Check the phone's clock and try again."),
            "code",
        )
    codes = new_recovery_codes()
    moderator.totp_secret = secret
    moderator.recovery_codes = [_hash_recovery(c) for c in codes]
    _use_step(moderator, step)  # the code that proved it is spent
    accounts.end_sessions(moderator)
    accounts.record_for_account(AuditAction.TOTP_ENABLED, moderator, by=moderator.username, now=now)
    db.session.flush()
    return codes


def _turn_off(moderator: Moderator, *, by: str, now: datetime, **details) -> None:
    moderator.totp_secret = None
    moderator.recovery_codes = []
    accounts.end_sessions(moderator)
    accounts.record_for_account(AuditAction.TOTP_DISABLED, moderator, by=by, now=now, **details)
    db.session.flush()


def disable(moderator: Moderator, code: str, *, address: str, now: datetime) -> None:
    """The owner turns it off, proving it with a code (of the app or a recovery code),
    counted as a login code is. Refused while the installation requires it."""
    if not enabled(moderator):
        raise SecondFactorRejected(_l("Your second factor is not on."), "code")
    if required():
        raise SecondFactorRejected(
            _l("A second factor is required here: an administrator can reset yours."), "code"
        )
    try:
        check_login_code(moderator, code, address=address, now=now)
    except DomainError as error:
        raise SecondFactorRejected(error.message, "code") from None
    _turn_off(moderator, by=moderator.username, now=now)


def reset(moderator_id: int, *, by: Moderator | None, now: datetime) -> Moderator:
    """An admin (None: the shell) takes the second factor of an account whose owner lost it;
    they set it up again at their next login (at once, where it is required)."""
    moderator = accounts.get_moderator(moderator_id)
    if by is not None:
        accounts.refuse_unless_managed(moderator, by)
    if not enabled(moderator):
        raise SecondFactorRejected(_l("%(name)s has no second factor.", name=moderator.username))
    _turn_off(moderator, by=by.username if by is not None else "cli", now=now, reset=True)
    return moderator
