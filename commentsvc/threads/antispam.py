"""Signals that a comment was sent by a program, not a person: the time-trap and the honeypot.

The form carries ``ts``, a signed stamp of when it was shown, and ``hp``, a field people never
see or fill. The HTML form and the JSON API (which hands out stamps with the thread) share both.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from commentsvc.signing import timed_serializer

STAMP_FIELD = "ts"
HONEYPOT_FIELD = "hp"
_SALT = "form-stamp-timed"  # new with the timed format: neither format reads as the other


def issue_stamp(now: datetime) -> str:
    """A stamp of the moment a form is shown; it cannot be forged without the secret key."""
    return timed_serializer(_SALT, now).dumps(STAMP_FIELD)


def stamp_age(stamp: str | None, now: datetime) -> float | None:
    """Seconds since the stamp was issued, or None when it is missing or forged."""
    if not stamp:
        return None
    try:
        _, issued = timed_serializer(_SALT, now).loads(stamp, return_timestamp=True)
    except BadSignature:
        return _earlier_stamp_age(stamp, now)
    return (now - issued).total_seconds()


def _earlier_stamp_age(stamp: str, now: datetime) -> float | None:
    """The age of a stamp of the earlier format (the moment inside an untimed payload).

    A form shown before the upgrade may be sent after it, and a missing stamp counts as spam
    (``no-stamp``): such stamps are still read. Forms are not kept open for days, so this can
    go in the release after next.
    """
    earlier = URLSafeSerializer(current_app.config["SECRET_KEY"], salt="form-stamp")
    try:
        issued = earlier.loads(stamp)
    except BadSignature:
        return None
    if not isinstance(issued, int) or isinstance(issued, bool):
        return None
    return now.timestamp() - issued
