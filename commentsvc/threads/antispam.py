"""Signals that a comment was sent by a program, not a person: the time-trap and the honeypot.

The form carries ``ts``, a signed stamp of when it was shown, and ``hp``, a field people never
see or fill. The HTML form and the JSON API (which hands out stamps with the thread) share both.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

STAMP_FIELD = "ts"
HONEYPOT_FIELD = "hp"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="form-stamp")


def issue_stamp(now: datetime) -> str:
    """A stamp of the moment a form is shown; it cannot be forged without the secret key."""
    return _serializer().dumps(int(now.timestamp()))


def stamp_age(stamp: str | None, now: datetime) -> float | None:
    """Seconds since the stamp was issued, or None when it is missing or forged."""
    if not stamp:
        return None
    try:
        issued = _serializer().loads(stamp)
    except BadSignature:
        return None
    if not isinstance(issued, int):
        return None
    return now.timestamp() - issued
